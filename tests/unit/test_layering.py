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


# --- inside the layers (DESIGN.md Architecture, STYLE.md Layers) ------------------------------

SESSION_WORK = {
    "commit",
    "execute",
    "scalar",
    "scalars",
    "get",
    "add",
    "add_all",
    "delete",
    "flush",
    "merge",
    "query",
}


def database_work(source: str) -> list[str]:
    """Where a module queries or commits itself: ``db.session.<verb>(...)``, ``db.paginate``, any
    ``.commit()``, or an import of SQLAlchemy. A view calls one service instead."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target, verb = node.func.value, node.func.attr
            on_session = isinstance(target, ast.Attribute) and target.attr == "session"
            if verb == "commit" or (on_session and verb in SESSION_WORK):
                found.append(f"line {node.lineno}: .{verb}()")
            elif verb == "paginate" and isinstance(target, ast.Name) and target.id == "db":
                found.append(f"line {node.lineno}: db.paginate()")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            if any((n or "").split(".")[0] == "sqlalchemy" for n in names):
                found.append(f"line {node.lineno}: imports sqlalchemy")
    return found


def web_modules() -> list[Path]:
    return sorted((ROOT / "app").rglob("*.py"))


@pytest.mark.parametrize("path", web_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_web_layer_neither_queries_nor_commits(path):
    assert database_work(path.read_text()) == []


@pytest.mark.parametrize("path", sorted((ROOT / "casework").rglob("*.py")), ids=str)
def test_casework_never_imports_the_web_app_or_the_scheduler(path):
    assert not imported_roots(path) & {"app", "scheduling"}


def sweep_modules() -> list[Path]:
    return sorted((ROOT / "scheduling" / "sweeps").rglob("*.py"))


def model_imports(path: Path) -> set[str]:
    """The casework models a module imports, and SQLAlchemy."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.endswith(".models") or node.module.split(".")[0] == "sqlalchemy":
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy")
    return found


@pytest.mark.parametrize("path", sweep_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_sweeps_call_services_and_hold_no_queries(path):
    assert model_imports(path) == set()
    assert database_work(path.read_text()) == []


def test_the_checkers_catch_what_they_forbid():
    view = (
        "import sqlalchemy as sa\n"
        "def page():\n"
        "    rows = db.session.scalars(sa.select(X)).all()\n"
        "    db.session.commit()\n"
        "    return db.paginate(q)\n"
    )
    assert len(database_work(view)) == 4
    assert database_work("def page():\n    return session.get('key')\n") == []
    sample = ROOT / "tests" / "unit" / "test_layering.py"
    assert "pytest" in imported_roots(sample)


def undocumented(source: str) -> list[str]:
    """Public functions and classes at a module's top level without a docstring."""
    return [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and not node.name.startswith("_")
        and not ast.get_docstring(node)
    ]


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for package in ("app", "casework", "scheduling", "triage")
        for p in (ROOT / package).rglob("*.py")
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_public_function_and_model_says_what_it_is(path):
    assert undocumented(path.read_text()) == []


def test_the_docstring_checker_sees_a_missing_one():
    assert undocumented("def shown():\n    return 1\n\ndef _private():\n    pass\n") == ["shown"]
