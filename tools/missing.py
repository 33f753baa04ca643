#!/usr/bin/env python3
"""What pyproject.toml asks for that this Python does not have: the project itself (installed in place), its
dependencies, and those of the extras named on the command line. Prints them and exits 1 when anything is
missing (the Makefile then runs pip), else exits 0 without a word — so `make` needs no network once everything
is there. pyproject.toml is the one list of dependencies; this only reads it.

    python tools/missing.py            # the runtime
    python tools/missing.py test       # the runtime and the test extra (with the extras it names)
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: cannot read pyproject.toml here; say so, and pip decides
    print("cannot read pyproject.toml without Python 3.11's tomllib")
    sys.exit(1)
try:
    from packaging.requirements import Requirement
except ImportError:  # no packaging: names only, no versions or markers

    class Requirement:  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            m = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[([^\]]*)\])?", text)
            assert m
            self.name, self.text = m.group(1), text
            self.extras = {e.strip() for e in (m.group(2) or "").split(",") if e.strip()}
            self.marker = None
            self.specifier = _Any()

        def __str__(self) -> str:
            return self.text


class _Any:
    def contains(self, version: str, prereleases: bool = True) -> bool:
        return True

ROOT = Path(__file__).resolve().parent.parent


def wanted(project: dict, extras: list[str]) -> list[Requirement]:
    name = project["name"]
    out = [Requirement(r) for r in project.get("dependencies", [])]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in project.get("optional-dependencies", {}).get(extra, []):
            req = Requirement(text)
            if req.name == name:  # the project's own extras, named by another
                todo += sorted(req.extras)
            else:
                out.append(req)
    return out


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    missing = []
    try:
        metadata.version(project["name"])
    except metadata.PackageNotFoundError:
        missing.append(project["name"])
    for req in wanted(project, sys.argv[1:]):
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            missing.append(str(req))
            continue
        if not req.specifier.contains(version, prereleases=True):
            missing.append(f"{req} (have {version})")
    if missing:
        print("missing: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
