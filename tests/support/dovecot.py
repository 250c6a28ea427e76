"""A real IMAP server for tests: Debian's dovecot on loopback with its own temporary config.

Plain authentication on 127.0.0.1 with one passwd-file user; mail in a Maildir under the test's
temporary directory. Install with `apt-get install dovecot-imapd` (.ci/run does).
"""

import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
START_SECONDS = 30.0


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def uids(self, criterion: str, folder: str = "INBOX") -> list[bytes]:
        client = self.client()
        try:
            client.select(folder)
            _status, found = client.uid("SEARCH", None, criterion)
            return (found[0] or b"").split()
        finally:
            client.logout()


def _mail_owner() -> tuple[int, int, str, str]:
    """The uid/gid mail is stored as, and the users dovecot's own processes run as."""
    if os.getuid() != 0:
        name = pwd.getpwuid(os.getuid()).pw_name
        return os.getuid(), os.getgid(), name, name
    # Dovecot refuses to keep mail as root: use nobody, and its packaged service users.
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid, "dovecot", "dovenull"


def _config(root: Path, port: int) -> str:
    uid, gid, internal_user, login_user = _mail_owner()
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_internal_user = {internal_user}
default_login_user = {login_user}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


def _wait_until_ready(server: ImapServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            server.client().logout()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"dovecot did not start: {log.read_text(errors='replace') if log.exists() else ''}")


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    """Start dovecot on a free loopback port with one user; stop it afterwards."""
    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            pytest.fail("dovecot is missing: apt-get install dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    # Not under pytest's temporary folder: that is private (0700) and dovecot's own processes
    # run as other users that must reach the config, the users file and the mail.
    root = Path(tempfile.mkdtemp(prefix="madoguchi-dovecot-"))
    root.chmod(0o755)
    uid, gid, _internal, _login = _mail_owner()
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir()
    for folder in ("mail", "home"):
        os.chown(root / folder, uid, gid)
    server = ImapServer("127.0.0.1", free_port(), "support", "imap-test-password")
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    (root / "dovecot.conf").write_text(_config(root, server.port))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_ready(server, process, root / "dovecot.log")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=START_SECONDS)
        shutil.rmtree(root, ignore_errors=True)
