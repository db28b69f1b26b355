"""Project code uses the public APIs of aiogram, SQLAlchemy, aiosqlite and aiohttp only.

A private name (leading underscore) of a library can change in any release without notice;
code built on one breaks silently on an upgrade. This test reads the project's source and
the libraries' source and fails on:
- an import of a private module or name of those libraries;
- an attribute access `x._name` where `_name` is defined by one of the libraries and not by
  the project itself (the project's own `self._cache` is fine);
- a method `_name` overriding a library's private method in a class derived from a library
  class;
- a library's own dunder attributes that are not Python's (`__returning__`, `__api_method__`).
"""

from __future__ import annotations

import ast
import importlib.util
import keyword
import re
from functools import cache
from pathlib import Path

from tests import ROOT

# A private name, alone (`def _x`, `_x = 1`) or as an attribute (`self._x`).
PRIVATE = re.compile(r"(?:(?<=\.)|(?<![\w.]))(_\w+)")
PROJECT_DIRS = (
    "bot", "handlers", "conversations", "db", "services", "domain", "texts", "benchmarks",
)  # fmt: skip
LIBRARIES = ("aiogram", "sqlalchemy", "aiosqlite", "aiohttp")
# Dunders that belong to Python, not to a library.
PYTHON_DUNDERS = set(dir(object)) | set(dir(type)) | set(dir(BaseException)) | {
    "__wrapped__", "__name__", "__qualname__", "__module__", "__dict__", "__file__",
    "__annotations__", "__all__", "__version__", "__path__", "__func__", "__self__",
    "__aenter__", "__aexit__", "__enter__", "__exit__", "__call__", "__slots__",
    "__table__", "__tablename__", "__table_args__", "__mapper_args__", "__abstract__",
}  # fmt: skip
# SQLAlchemy's declarative names above are its documented public API.


def _project_files() -> list[Path]:
    files: list[Path] = []
    for folder in PROJECT_DIRS:
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    return files


def _library_root(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


@cache
def _library_private_names() -> frozenset[str]:
    """Every private name that occurs in the libraries' source (a superset of what they
    define: a name the project defines itself is exempt below)."""
    names: set[str] = set()
    for library in LIBRARIES:
        for path in _library_root(library).rglob("*.py"):
            names.update(PRIVATE.findall(path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(n for n in names if n not in PYTHON_DUNDERS)


def _project_defined_names(trees: dict[Path, ast.Module]) -> set[str]:
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return names


def _is_library(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def _private_import(node: ast.Import | ast.ImportFrom) -> str | None:
    if isinstance(node, ast.ImportFrom):
        if not _is_library(node.module):
            return None
        module = node.module or ""
        if any(part.startswith("_") for part in module.split(".")):
            return module
        for alias in node.names:
            if alias.name.startswith("_"):
                return f"{module}.{alias.name}"
        return None
    for alias in node.names:
        if _is_library(alias.name) and any(p.startswith("_") for p in alias.name.split(".")):
            return alias.name
    return None


def _library_bases(tree: ast.Module) -> set[str]:
    """Names imported from the libraries in this module (candidates for base classes)."""
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_library(node.module):
            imported.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if _is_library(alias.name)
            )
    return imported


def _base_name(base: ast.expr) -> str | None:
    while isinstance(base, ast.Attribute):
        base = base.value
    if isinstance(base, ast.Subscript):
        return _base_name(base.value)
    return base.id if isinstance(base, ast.Name) else None


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def find_private_uses(files: list[Path]) -> list[str]:
    trees = {path: _tree(path) for path in files}
    library_private = _library_private_names()
    own = _project_defined_names(trees)
    found: list[str] = []
    for path, tree in trees.items():
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        library_names = _library_bases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                private = _private_import(node)
                if private:
                    found.append(f"{where}:{node.lineno}: imports {private}")
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                name = node.attr
                if name in library_private and (name not in own or _dunder(name)):
                    found.append(f"{where}:{node.lineno}: uses {name}")
            elif isinstance(node, ast.ClassDef):
                derived = any(_base_name(b) in library_names for b in node.bases)
                for item in node.body if derived else []:
                    if (
                        isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                        and item.name.startswith("_")
                        and not _dunder(item.name)
                        and _library_defines(path, node.name, item.name)
                    ):
                        found.append(f"{where}:{item.lineno}: overrides {item.name}")
    return found


def _library_defines(path: Path, class_name: str, name: str) -> bool:
    """Whether a library class among the bases of `class_name` (in `path`) defines `name`."""
    if path.is_relative_to(ROOT):  # project code: imported as the app imports it
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    else:  # the check's own sample
        spec = importlib.util.spec_from_file_location(f"public_api_sample_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    cls = getattr(module, class_name)
    return any(
        name in vars(base) for base in cls.__mro__[1:] if base.__module__.split(".")[0] in LIBRARIES
    )


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and not keyword.iskeyword(name)


def test_project_code_uses_public_apis_only() -> None:
    assert find_private_uses(_project_files()) == []


def test_the_check_finds_what_it_is_for(tmp_path: Path) -> None:
    """The check itself: each kind of private use is found in a sample file."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from aiogram.dispatcher.event.handler import FilterObject\n"
        "from sqlalchemy.util import _collections\n"
        "from sqlalchemy.orm import Session\n"
        "class S(Session):\n"
        "    def _execute_internal(self, *a):\n"
        "        return None\n"
        "def f(dp, m):\n"
        "    dp._propagate_event\n"
        "    dp._handle_update_tasks\n"
        "    return m.__returning__\n"
    )
    found = find_private_uses([sample])
    text = "\n".join(found)
    assert "imports sqlalchemy.util._collections" in text
    assert "overrides _execute_internal" in text
    assert "uses _propagate_event" in text
    assert "uses _handle_update_tasks" in text  # set as an attribute only, in aiogram
    assert "uses __returning__" in text


def test_test_code_uses_public_apis_only() -> None:
    """The tests and their harness too (the fake's in-process session, BotApp): a harness
    built on a library's insides breaks on an upgrade just like the app would."""
    tests = sorted((ROOT / "tests").rglob("*.py"))
    found = find_private_uses(_project_files() + tests)
    assert [f for f in found if f.startswith("tests/")] == []
