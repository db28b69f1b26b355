"""Rewrite imports and mentions of moved modules and names, from docs/module_moves.json.

    python scripts/apply_module_moves.py tests/            # files or folders (*.py, *.md)
    python scripts/apply_module_moves.py --check tests/    # list what would change, exit 1 if any

The mapping has two parts:
  "modules": {"handlers.staff_data": "handlers.staff.data", ...}: a module moved whole.
  "names":   {"db.models:Account": "db.models.accounts", ...}: a name moved out of a module
             that still exists (a module split in several, or turned into a package).

What is rewritten in a .py file (statements are regenerated, other lines are left alone):
  from handlers.staff_data import X          -> from handlers.staff.data import X
  from handlers import staff_data            -> from handlers.staff import data as staff_data
  from db.models import Account, Household   -> one `from <new module> import ...` per module
  import handlers.staff_data [as x]          -> import handlers.staff.data [as x]
and, in .py and .md files, every other mention of a moved module as a dotted name or a path
("handlers.staff_data", "handlers/staff_data.py"). Afterwards let ruff sort the imports:
    ruff check --fix --select I <paths>
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "docs" / "module_moves.json"


def load(path: Path = MAPPING) -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data.get("modules", {})), dict(data.get("names", {}))


def _alias(name: str, asname: str | None) -> str:
    return f"{name} as {asname}" if asname and asname != name else name


def _from_import(indent: str, module: str, names: list[str]) -> str:
    line = f"{indent}from {module} import {', '.join(names)}"
    if len(line) <= 100:
        return line
    # No comma after the last name: `ruff check --fix --select I` may join or split the lines.
    inner = ",\n".join(f"{indent}    {name}" for name in names)
    return f"{indent}from {module} import (\n{inner}\n{indent})"


def _rewrite_from(
    node: ast.ImportFrom, indent: str, modules: dict[str, str], names: dict[str, str]
) -> str | None:
    """The statements replacing `node`, or None when nothing in it moved."""
    if node.level or node.module is None:
        return None
    source = node.module
    groups: dict[str, list[str]] = {}
    changed = False
    for item in node.names:
        target = modules.get(source, source)
        name, asname = item.name, item.asname
        full = f"{source}.{name}"
        if full in modules:  # `from package import module`
            parent, _, child = modules[full].rpartition(".")
            target, name, asname = parent, child, asname or item.name
        elif f"{target}:{name}" in names:
            target = names[f"{target}:{name}"]
        elif f"{source}:{name}" in names:
            target = names[f"{source}:{name}"]
        changed |= target != source or name != item.name
        groups.setdefault(target, []).append(_alias(name, asname))
    if not changed:
        return None
    return "\n".join(_from_import(indent, module, items) for module, items in groups.items())


def _rewrite_import(node: ast.Import, indent: str, modules: dict[str, str]) -> str | None:
    if not any(item.name in modules for item in node.names):
        return None
    parts = [_alias(modules.get(item.name, item.name), item.asname) for item in node.names]
    return f"{indent}import {', '.join(parts)}"


def _mention_pattern(modules: dict[str, str]) -> re.Pattern[str] | None:
    """Dotted names and paths of moved modules, not followed by more of a name."""
    if not modules:
        return None
    forms = []
    for old in sorted(modules, key=len, reverse=True):
        forms.append(re.escape(old))
        forms.append(re.escape(old.replace(".", "/")))
    return re.compile(r"(?<![\w./])(" + "|".join(forms) + r")(?![\w])")


def _replace_mentions(text: str, modules: dict[str, str]) -> str:
    pattern = _mention_pattern(modules)
    if pattern is None:
        return text
    paths = {old.replace(".", "/"): new.replace(".", "/") for old, new in modules.items()}

    def new(match: re.Match[str]) -> str:
        found = match.group(1)
        return modules.get(found) or paths[found]

    return pattern.sub(new, text)


def rewrite_python(text: str, modules: dict[str, str], names: dict[str, str]) -> str:
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        first = lines[node.lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        if isinstance(node, ast.ImportFrom):
            new = _rewrite_from(node, indent, modules, names)
        else:
            new = _rewrite_import(node, indent, modules)
        if new is not None:
            assert node.end_lineno is not None
            edits.append((node.lineno - 1, node.end_lineno, new + "\n"))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = [new]
    return _replace_mentions("".join(lines), modules)


def rewrite(path: Path, modules: dict[str, str], names: dict[str, str]) -> bool:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        new = rewrite_python(text, modules, names)
    else:
        new = _replace_mentions(text, modules)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def files(paths: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".py", ".md"))
        elif path.suffix in (".py", ".md"):
            found.append(path)
    this = Path(__file__).resolve()  # its examples name old modules
    return [
        p
        for p in found
        if ".venv" not in p.parts and "__pycache__" not in p.parts and p.resolve() != this
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="files or folders (*.py and *.md in them)")
    parser.add_argument("--mapping", type=Path, default=MAPPING)
    parser.add_argument("--check", action="store_true", help="only list files that would change")
    args = parser.parse_args(argv)
    modules, names = load(args.mapping)
    changed = []
    for path in files(args.paths):
        if args.check:
            text = path.read_text(encoding="utf-8")
            new = (
                rewrite_python(text, modules, names)
                if path.suffix == ".py"
                else _replace_mentions(text, modules)
            )
            if new != text:
                changed.append(path)
        elif rewrite(path, modules, names):
            changed.append(path)
    for path in changed:
        print(path)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
