"""Verify the sha256 checksums of vendored front-end assets.

Reads the markdown table in ``madoguchi/static/vendor/VERSIONS.md`` and checks that each listed
file exists and that its sha256 matches the recorded value. Paths in the table are relative to
the repository root. Prints one line per file and exits 1 on any mismatch or missing file.

Usage: python tools/vendor_checksums.py [VERSIONS.md] [--root DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VERSIONS = REPO_ROOT / "madoguchi" / "static" / "vendor" / "VERSIONS.md"
REQUIRED_COLUMNS = ("package", "version", "sha256", "path")


@dataclass(frozen=True)
class Entry:
    """One row of the VERSIONS.md table."""

    package: str
    version: str
    sha256: str
    path: str


def _cells(line: str) -> list[str]:
    """Split a markdown table row into stripped cell texts."""
    return [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]


def _is_separator(cells: list[str]) -> bool:
    return all(cell and set(cell) <= set("-: ") for cell in cells)


def parse_table(text: str) -> list[Entry]:
    """Return the entries of the first markdown table that has the required columns."""
    header: dict[str, int] | None = None
    entries: list[Entry] = []
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            if header is not None:
                break
            continue
        cells = _cells(line)
        if header is None:
            names = [cell.lower() for cell in cells]
            if all(column in names for column in REQUIRED_COLUMNS):
                header = {name: index for index, name in enumerate(names)}
            continue
        if _is_separator(cells):
            continue
        entries.append(
            Entry(**{column: cells[header[column]] for column in REQUIRED_COLUMNS}),
        )
    if header is None:
        msg = f"no table with columns {', '.join(REQUIRED_COLUMNS)} found"
        raise ValueError(msg)
    return entries


def sha256_of(path: Path) -> str:
    """Return the hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check(entry: Entry, root: Path) -> bool:
    """Verify one entry, print the result and return whether it passed."""
    label = f"{entry.package}@{entry.version} {entry.path}"
    target = root / entry.path
    if not target.is_file():
        print(f"MISSING  {label}")
        return False
    actual = sha256_of(target)
    if actual != entry.sha256.lower():
        print(f"MISMATCH {label}: expected {entry.sha256}, got {actual}")
        return False
    print(f"OK       {label}")
    return True


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="?", type=Path, default=DEFAULT_VERSIONS)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    args = parser.parse_args(argv)
    try:
        entries = parse_table(args.versions.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"ERROR    {args.versions}: {exc}")
        return 1
    if not entries:
        print(f"ERROR    {args.versions}: table has no rows")
        return 1
    results = [check(entry, args.root) for entry in entries]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
