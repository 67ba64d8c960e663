"""Dependencies point one way (DESIGN.md Architecture): the rules never reach for the web or DB."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_FORBIDDEN = {
    "flask",
    "flask_sqlalchemy",
    "sqlalchemy",
    "twilio",
    "app",
    "casework",
    "flask_login",
    "flask_wtf",
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def pure_modules() -> list[Path]:
    modules = sorted((ROOT / "triage").rglob("*.py"))
    calendar = ROOT / "scheduling" / "calendar.py"
    return modules + ([calendar] if calendar.exists() else [])


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_rules_import_no_framework(path):
    assert not imported_roots(path) & PURE_FORBIDDEN


@pytest.mark.parametrize("package", ["casework", "scheduling", "triage"])
def test_lower_layers_never_import_the_web_app(package):
    for path in (ROOT / package).rglob("*.py"):
        assert "app" not in imported_roots(path), f"{path} imports app"


def test_the_import_checker_sees_imports():
    sample = ROOT / "app" / "__init__.py"
    assert "flask" in imported_roots(sample)
