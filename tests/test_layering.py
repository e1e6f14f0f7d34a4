"""The pure core never imports the shell or a web/DB/CLI framework (style guide §1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "abscopal"

CORE = (
    "protocol",
    "eligibility",
    "response",
    "toxicity",
    "radiation",
    "design",
    "analysis",
    "randomisation",
    "calendar",
)
SHELL = ("store", "screening", "api", "web", "cli", "report", "exchange", "config", "demo")
FORBIDDEN_THIRD_PARTY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "click",
    "typer",
    "rich",
    "duckdb",
    "psycopg",
    "pyspark",
    "httpx",
    "weasyprint",
    "matplotlib",
    "pydicom",
)


def _core_files() -> list[Path]:
    files: list[Path] = []
    for pkg in CORE:
        path = SRC / pkg
        if path.is_dir():
            files += sorted(path.rglob("*.py"))
        elif path.with_suffix(".py").is_file():
            files.append(path.with_suffix(".py"))
    return files


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for mod in _imported_modules(tree):
        top = mod.split(".")[0]
        if top in FORBIDDEN_THIRD_PARTY:
            found.append(f"imports framework {mod!r}")
        if top == "abscopal" and len(mod.split(".")) > 1 and mod.split(".")[1] in SHELL:
            found.append(f"imports shell module {mod!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            found.append("reads os.environ")
    return found


def test_core_exists() -> None:
    assert _core_files(), "no core modules found: the layering test would be vacuous"


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_never_imports_the_shell(path: Path) -> None:
    assert _violations(path) == []


def test_checker_catches_a_shell_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom abscopal.store import repo\nimport os\nos.environ\n")
    assert _violations(bad) == [
        "imports framework 'sqlalchemy'",
        "imports shell module 'abscopal.store'",
        "reads os.environ",
    ]
