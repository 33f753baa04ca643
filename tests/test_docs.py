"""The documents as a reader meets them: README a guide of about 300 lines, every `speak.py` command in README and
docs/ accepted by the command line as written, every `make` target it names in the Makefile, every relative
link (and its #anchor) leading somewhere, every benchmark figure beside the command that reproduces it, and
the lock pinning every requirement of pyproject.toml."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from articlecast.cli import parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def _blocks(path: Path) -> list[str]:
    """The lines of the shell blocks (```sh, or untagged) of a document, comments stripped."""
    lines = []
    for lang, body in re.findall(r"```(\w*)\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        if lang in ("sh", "bash", ""):
            body = body.replace("\\\n", " ")  # continued lines joined
            lines += [ln.split(" #", 1)[0].rstrip() for ln in body.splitlines() if ln.strip()]
    return lines


def _commands(prefix: str) -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for line in _blocks(doc):
            for part in re.split(r"\s*(?:&&|;)\s*", line):
                if not re.match(r"^(?:[A-Z_]+=\S+\s+)*" + re.escape(prefix) + r"\b", part.strip()):
                    continue
                words = shlex.split(part)
                while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value before the command
                    words.pop(0)
                if words[: len(prefix.split())] == prefix.split():
                    found.append((doc.name, part))
    return found


def test_readme_is_a_guide_of_about_300_lines() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    for heading in ("## Quick start", "## Everyday commands", "## What it reads", "## What it writes", "## Voices",
                    "## Publishing", "## Use it from Python", "## Where to go next"):
        assert heading in readme, heading
    assert "| run | wall s |" not in readme  # the measurements live in docs/benchmarks.md


@pytest.mark.parametrize(("doc", "line"), _commands("python speak.py"))
def test_every_speak_command_in_the_documents_is_accepted_as_written(doc: str, line: str) -> None:
    words = shlex.split(line)
    words = words[words.index("speak.py") + 1:]
    if not words or words[0].startswith("-") and words[0] not in ("--help", "--version", "--debug"):
        words = ["build", *words]
    if "--help" in words or "--version" in words:
        return
    parser().parse_args(words)  # an unknown command or option exits 2 (SystemExit) and fails the test


def test_the_documents_name_commands() -> None:
    assert len(_commands("python speak.py")) >= 40


def test_every_make_target_in_the_documents_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    named = {shlex.split(line)[1] for _, line in _commands("make") if len(shlex.split(line)) > 1}
    assert named and named - targets == set(), named - targets


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_every_relative_link_and_anchor_leads_somewhere() -> None:
    broken = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (doc.parent / file).resolve() if file else doc
            if not path.exists():
                broken.append(f"{doc.name}: {target}")
            elif anchor and path.suffix == ".md":
                anchors = {_anchor(h) for h in re.findall(r"^#+ (.*)$", path.read_text(encoding="utf-8"), re.M)}
                if anchor not in anchors:
                    broken.append(f"{doc.name}: {target}")
    assert broken == []


def test_every_benchmark_table_has_its_command_before_it() -> None:
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        if "\n|" in section:
            before = section[: section.index("\n|")]
            assert re.search(r"`python bench/\w+\.py", before), section.splitlines()[0]


def test_the_lock_pins_every_requirement_of_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"]) + [t for extra in project["optional-dependencies"].values() for t in extra]
    pinned = set()
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            req = Requirement(text)
            assert str(req.specifier).startswith("=="), line  # pins, not ranges
            pinned.add(canonicalize_name(req.name))
    wanted = {canonicalize_name(Requirement(t).name) for t in texts} - {"articlecast"}
    assert wanted - pinned == set(), wanted - pinned
