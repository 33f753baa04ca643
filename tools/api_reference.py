#!/usr/bin/env python3
"""Write docs/api-reference.md: every public name of the library, module by module, with the first sentence of its
own docstring (the docstrings are the one home of what each name does; this page only gathers them).

    python tools/api_reference.py           # write it
    python tools/api_reference.py --check   # exit 1 when it is out of date (a test runs this)
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "api-reference.md"

PUBLIC = ("articlecast", "articlecast.builder", "articlecast.loading", "articlecast.options", "articlecast.models",
          "articlecast.errors", "articlecast.stops", "articlecast.cache", "articlecast.util", "articlecast.inputs",
          "articlecast.script", "articlecast.voice", "articlecast.audio", "articlecast.publish", "articlecast.check",
          "articlecast.batch")
"""The modules whose ``__all__`` is the public API, in the order the data flows."""


def _attribute_docs() -> dict[str, str]:
    """The docstring under each module-level assignment in the package (``NAME = ...`` then a string)."""
    docs: dict[str, str] = {}
    for path in sorted((ROOT / "articlecast").rglob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node, after in zip(body, body[1:]):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
                for t in targets:
                    for name in [e.id for e in ast.walk(t) if isinstance(e, ast.Name)]:
                        docs.setdefault(name, after.value.value)
    return docs


def _first_sentence(text: str) -> str:
    """The first sentence of a docstring's first paragraph, its Sphinx roles as plain code."""
    text = " ".join(text.strip().split("\n\n")[0].split())
    text = re.sub(r":(?:class|func|meth|data|mod|attr):`~?\.*([^`]+)`", r"`\1`", text).replace("``", "`")
    match = re.match(r"(.+?(?<!e\.g)(?<!i\.e)\.)(?:\s|$)", text)
    return match.group(1) if match else text


def reference() -> str:
    docs = _attribute_docs()
    lines = ["# The library, name by name", "",
             "Generated from the docstrings by `python tools/api_reference.py` (a test fails when it is out of date).",
             "How to use them: [python-api.md](python-api.md).", ""]
    for name in PUBLIC:
        module = importlib.import_module(name)
        lines += [f"## `{name}`", "", _first_sentence(module.__doc__ or ""), ""]
        for public in module.__all__:
            value = getattr(module, public)
            own = inspect.getdoc(value) if (inspect.isclass(value) or inspect.isroutine(value)) else None
            text = own or docs.get(public, "")
            kind = "class" if inspect.isclass(value) else "function" if inspect.isroutine(value) else "value"
            lines.append(f"- `{public}` ({kind}): {_first_sentence(text) if text else ''}".rstrip())
        lines.append("")
    lines += ["[← Python API](python-api.md) · [all documents](README.md)", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the page is current")
    args = parser.parse_args()
    text = reference()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python tools/api_reference.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
