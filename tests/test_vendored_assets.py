"""What we serve names no CDN: every script, style sheet and template is ours or vendored, and a
vendored file is the one VERSIONS.md records."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import vendor_checksums  # noqa: E402  (tools/ is not a package)
import vendor_offline  # noqa: E402

SERVED = (ROOT / "madoguchi" / "static", ROOT / "madoguchi" / "templates")
# Hosts a served file may name: XML namespaces, licence and documentation links in comments and
# in EasyMDE's help button, the example address in the widget's instructions. None is fetched.
NAMED_NOT_FETCHED = {
    "www.w3.org",
    "www.sitemaps.org",
    "github.com",
    "marked.js.org",
    "picocss.com",
    "www.markdownguide.org",
    "help.example.com",
}
_HOST = re.compile(r"(?:https?:)?//([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def _served_files() -> list[Path]:
    return [path for folder in SERVED for path in folder.rglob("*") if path.is_file()]


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_served_file_names_a_cdn() -> None:
    named = {
        str(path.relative_to(ROOT)): found
        for path in _served_files()
        if (found := vendor_offline.cdn_hosts(_text(path)))
    }

    assert named == {}


def test_served_files_name_only_hosts_that_are_never_fetched() -> None:
    hosts = {host for path in _served_files() for host in _HOST.findall(_text(path))}

    assert hosts - NAMED_NOT_FETCHED == set()


def test_vendored_files_match_their_recorded_checksums() -> None:
    assert vendor_checksums.main([]) == 0


def test_remote_addresses_become_empty_data_urls_once() -> None:
    # Put together here, so that no file of the repository names a CDN address itself.
    host = "cdn" + ".example.net"
    original = f'n.open("GET","https://{host}/spell-checker/latest/en_US.aff")'

    offline = vendor_offline.make_offline(original)

    assert offline == 'n.open("GET","data:,")'
    assert vendor_offline.make_offline(offline) == offline
    assert vendor_offline.cdn_hosts(original) and not vendor_offline.cdn_hosts(offline)
