"""The shape of the code: dependency direction between apps, and no ORM at the edges."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "madoguchi"
EDGE_MODULES = ("views.py", "consumers.py")
_ORM_AT_EDGE = re.compile(r"\.objects\.")


def test_apps_depend_downward_only() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "module",
    sorted(p for name in EDGE_MODULES for p in PACKAGE.rglob(name))
    + sorted(PACKAGE.glob("api/**/*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_edges_call_selectors_and_services_not_the_orm(module: Path) -> None:
    offending = [
        f"{module.name}:{number}: {line.strip()}"
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1)
        if _ORM_AT_EDGE.search(line)
    ]

    assert offending == []
