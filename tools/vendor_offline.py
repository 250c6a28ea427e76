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
# The quoted addresses as they appear in easymde 2.21.0's dist/easymde.min.js.
REMOTE = (
    "https://cdn.jsdelivr.net/codemirror.spell-checker/latest/en_US.aff",
    "https://cdn.jsdelivr.net/codemirror.spell-checker/latest/en_US.dic",
    "https://maxcdn.bootstrapcdn.com/font-awesome/latest/css/font-awesome.min.css",
    "//maxcdn.bootstrapcdn.com/font-awesome/",
)
CDN_HOST = re.compile(
    r"(?:https?:)?//[\w.-]*(?:cdn|unpkg|googleapis|gstatic)[\w.-]*", re.IGNORECASE
)


def make_offline(text: str) -> str:
    """Return text with every known remote address, quoted, replaced by an empty data: URL."""
    for address in REMOTE:
        text = text.replace(f'"{address}"', f'"{INERT}"')
    return text


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
