#!/usr/bin/env python3
"""What this Python lacks of what the project needs, measured against the lock: the project itself, every
package its dependencies (and those of the extras named on the command line) pull in, each at the version
`constraints.txt` pins. Prints what is missing or at another version and exits 1 (the Makefile then runs pip
with the lock as its constraints), else exits 0 without a word — so `make` needs no network once everything is
there. pyproject.toml is the one list of dependencies and constraints.txt the one list of versions; this only
reads them.

    python tools/missing.py            # the runtime
    python tools/missing.py test       # the runtime and the test extra (with the extras it names)
"""

from __future__ import annotations

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
    from packaging.utils import canonicalize_name
except ImportError:  # a brand-new venv has no packaging (pip keeps its own copy to itself): then pip decides
    print("packaging is not installed")
    sys.exit(1)

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"


def locked() -> dict[str, str]:
    """The lock's pins that apply to this Python: name -> version."""
    pins: dict[str, str] = {}
    if not LOCK.exists():
        return pins
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def wanted(project: dict, extras: list[str]) -> list[Requirement]:
    """The project's own requirements: its dependencies and those of the extras (extras naming extras followed)."""
    name = canonicalize_name(project["name"])
    out = [Requirement(r) for r in project.get("dependencies", [])]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in project.get("optional-dependencies", {}).get(extra, []):
            req = Requirement(text)
            if canonicalize_name(req.name) == name:  # the project's own extras, named by another
                todo += sorted(req.extras)
            else:
                out.append(req)
    return out


def applies(req: Requirement, extra: str) -> bool:
    if req.marker is None:
        return True
    return req.marker.evaluate({"extra": extra}) if "extra" in str(req.marker) else req.marker.evaluate()


def problems(project: dict, extras: list[str]) -> list[str]:
    """Every requirement of the closure that is not installed, or not at its locked (or required) version."""
    pins = locked()
    out: list[str] = []
    try:
        metadata.version(project["name"])
    except metadata.PackageNotFoundError:
        out.append(project["name"])
    todo = [(req, "") for req in wanted(project, extras)]
    seen: set[tuple[str, str]] = set()
    while todo:
        req, extra = todo.pop()
        if not applies(req, extra):
            continue
        name = canonicalize_name(req.name)
        for want in [""] + sorted(req.extras):
            if (name, want) in seen:
                continue
            seen.add((name, want))
            try:
                dist = metadata.distribution(req.name)
            except metadata.PackageNotFoundError:
                out.append(str(req))
                break
            version = dist.version
            if name in pins and version != pins[name]:
                out.append(f"{req.name} {version} (locked: {pins[name]})")
            elif not req.specifier.contains(version, prereleases=True):
                out.append(f"{req} (have {version})")
            for text in dist.requires or []:
                sub = Requirement(text)
                if want or sub.marker is None or "extra" not in str(sub.marker):
                    todo.append((sub, want))
    return sorted(set(out))


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    missing = problems(project, sys.argv[1:])
    if missing:
        print("missing: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
