"""RFC 6238 codes, computed independently of allauth, as an authenticator app would."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret_base32: str, *, at: float | None = None, period: int = 30) -> str:
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wait_for_next_period(period: int = 30) -> None:
    """Sleep into the next period, so a code is not the one just used (codes are single-use)."""
    time.sleep(period - time.time() % period + 0.5)
