"""Take the remote addresses out of a vendored bundle, so nothing we serve points at a CDN.

EasyMDE's bundle carries code that fetches spell-check dictionaries from jsDelivr and Font
Awesome from BootstrapCDN. We switch both features off (`spellChecker: false`,
`autoDownloadFontAwesome: false`) and the CSP would block the requests anyway, but a served file
naming a CDN is one option away from a request that leaves the server. Each address becomes the
empty `data:,` URL. Run on a file copied unmodified from the npm tarball; running it again
changes nothing. Record the result's sha256 in VERSIONS.md (tools/vendor_checksums.py checks it).

Usage: python tools/vendor_offline.py madoguchi/static/vendor/easymde-2.21.0.min.js
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

INERT = "data:,"
CDN_HOST = re.compile(
    r"(?:https?:)?//[\w.-]*(?:cdn|unpkg|googleapis|gstatic)[\w.-]*", re.IGNORECASE
)
# A whole quoted address on such a host: what the bundle's code would fetch.
QUOTED_CDN_ADDRESS = re.compile(rf'"{CDN_HOST.pattern}[^"\s]*"', re.IGNORECASE)


def make_offline(text: str) -> str:
    """Return text with every quoted CDN address replaced by an empty data: URL."""
    return QUOTED_CDN_ADDRESS.sub(f'"{INERT}"', text)


def cdn_hosts(text: str) -> list[str]:
    """Return the CDN-like addresses left in text."""
    return CDN_HOST.findall(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        with path.open(encoding="utf-8", newline="") as handle:
            text = make_offline(handle.read())
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        left = cdn_hosts(text)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{path}: sha256 {digest}" + (f"; still names {left}" if left else ""))
        status |= bool(left)
    return status


if __name__ == "__main__":
    sys.exit(main())
