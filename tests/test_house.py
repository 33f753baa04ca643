"""The house itself: stages as packages that import only the stages before them (no cycles), our own imports at
the top of each module, the public API, docs/design.md's layout table naming every module, and the Python example in
README running as written."""

from __future__ import annotations

import ast
import functools
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

import articlecast
from articlecast.audio.tags import read_mp3

PACKAGE = ROOT / "articlecast"
LAYERS = [
    {"errors", "models", "options", "stops", "util", "cache"},
    {"inputs"}, {"script"}, {"voice"}, {"audio"}, {"check"}, {"publish"}, {"loading", "builder"}, {"batch"},
    {"webapp"}, {"cli", "__main__"}, {"__init__"},
]
"""The data flows one way: a module may import its own layer's modules (no cycle) and those of layers above it."""


@functools.cache
def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else "__init__"
    return next(n for n, names in enumerate(LAYERS) if top in names)


def _imports(module: str, path: Path) -> list[tuple[str, bool]]:
    """(our module it imports, whether at the module's top level) for every import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _modules()
    package = module.rsplit(".", 1)[0]  # a package's __init__ and its modules import relative to the package
    top_level = {id(n) for n in tree.body}
    checking = {id(n) for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            name = ".".join([*base[: len(base) - node.level + 1], *([node.module] if node.module else [])]) \
                if node.level else (node.module or "")
            targets = [name] if node.module or not node.level else [f"{name}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        targets = ["articlecast" if t.rsplit(".", 1)[-1].startswith("__") else t for t in targets]  # __version__
        out += [(f"{t}.__init__" if t != "articlecast" and f"{t}.__init__" in own else t, id(node) in top_level)
                for t in targets if t == "articlecast" or t.startswith("articlecast.")]
    return out


def test_stages_import_only_the_stages_before_them() -> None:
    wrong = []
    for module, path in _modules().items():
        for target, _ in _imports(module, path):
            if target != "articlecast" and _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {m: {t for t, _ in _imports(m, p) if t in modules} for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in graph[m]:
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path, m, t]))
            if t not in state:
                visit(t, [*path, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def test_our_own_imports_are_at_the_top() -> None:
    inside = [f"{m} imports {t} inside a function" for m, p in _modules().items() for t, top in _imports(m, p)
              if not top and not t.endswith(("ray_pool", "inputs.pdf", "webapp.web"))]
    # Ray is an optional extra, imported where it is used; the PDF reader imports pdfminer (a third of a second)
    # and is imported when a PDF is read, and the app's pages Flask (with werkzeug) when the app starts, so that
    # every other command starts without them
    assert not inside, inside


PUBLIC = ("articlecast", "articlecast.builder", "articlecast.loading", "articlecast.options", "articlecast.models",
          "articlecast.errors", "articlecast.stops", "articlecast.cache", "articlecast.util", "articlecast.inputs",
          "articlecast.script", "articlecast.voice", "articlecast.audio", "articlecast.publish", "articlecast.check",
          "articlecast.batch", "articlecast.webapp")
"""The modules whose ``__all__`` is the public API: the front door, the shared types and settings, and each stage's
package (docs/python-api.md and its generated reference, docs/api-reference.md)."""


def test_the_front_door_is_small_and_documented() -> None:
    assert len(articlecast.__all__) <= 21, articlecast.__all__
    documented = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    for name in articlecast.__all__:
        assert getattr(articlecast, name) is not None, name
        assert f"`{name}" in documented or f".{name}" in documented, f"{name} is not in docs/python-api.md"
    for name in ("UnknownVoiceError", "EngineUnavailableError", "CheckUnavailableError", "FetchError", "Stopped"):
        assert name in articlecast.__all__  # what a caller catches
    with pytest.raises(AttributeError):
        articlecast.nothing_of_the_kind  # noqa: B018


def test_every_public_module_names_what_it_offers() -> None:
    for module in PUBLIC:
        names = importlib.import_module(module).__all__
        assert len(set(names)) == len(names), module
        for name in names:
            assert hasattr(importlib.import_module(module), name), f"{module}.{name}"


@pytest.mark.parametrize("front", ["cli", "__main__"])
def test_the_command_line_uses_only_the_public_api(front: str) -> None:
    """The command line parses and prints: everything it does comes from the public modules' __all__."""
    wrong = []
    tree = ast.parse((PACKAGE / f"{front}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.level or (node.module or "").startswith("articlecast")):
            continue
        module = "articlecast" + (f".{node.module}" if node.level and node.module else "") if node.level else node.module
        for alias in node.names:
            if module == "articlecast" and (alias.name == "__version__" or f"articlecast.{alias.name}" in PUBLIC):
                continue
            if module == "articlecast.cli":  # __main__ starts the command line itself
                continue
            if module not in PUBLIC or alias.name not in importlib.import_module(module).__all__:  # type: ignore[arg-type]
                wrong.append(f"{module}.{alias.name}")
    assert not wrong, wrong


def test_the_reference_is_current() -> None:
    out = subprocess.run([sys.executable, "tools/api_reference.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_speech_worker_loads_none_of_the_optional_libraries() -> None:
    """A Ray actor imports the package: none of the optional extras' libraries, nor those read for documents."""
    code = ("import sys, articlecast.voice.workers; "
            "print(sorted(m for m in ('trafilatura', 'pdfminer', 'faster_whisper', 'ray', 's3fs', 'paramiko', 'piper',"
            " 'fsspec', 'werkzeug', 'qrcode') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]", out


def test_the_command_line_starts_without_the_libraries_of_documents_and_publishing() -> None:
    """trafilatura, pdfminer, fsspec, werkzeug and qrcode are loaded when a web page or a PDF is read, or a folder
    published or served: not by every command (each would cost start-up time)."""
    code = ("import sys, articlecast.cli; print(sorted(m for m in ('trafilatura', 'pdfminer', 'docx', 'fsspec',"
            " 'werkzeug', 'qrcode', 's3fs', 'paramiko') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]", out


def test_the_design_document_lists_every_module() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    table = design[design.index("| module | makes |"):]
    table = table[: table.index("\n\n")]
    named = set()
    for row in table.splitlines()[2:]:
        cell = row.split("|")[1]
        tokens = re.findall(r"`([^`]+)`", cell)
        folder = tokens[0] if tokens[0].endswith("/") else tokens[0].rsplit("/", 1)[0] + "/"
        for t in tokens:
            if t.endswith(".py"):
                named.add(t if "/" in t else folder + t)
            elif "/" not in t:
                named.add(folder + t + ".py")
    every = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")}
    assert every - named == set(), sorted(every - named)


def test_the_python_examples_in_readme_run_as_written(tmp_path: Path) -> None:
    """README's examples, one after another in one interpreter (as a reader pastes them), from a copy of script/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use it from Python"):readme.index("## Development")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 4
    shutil.copytree(ROOT / "script", tmp_path / "script")
    proc = subprocess.run([sys.executable, "-c", "\n".join(blocks)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    mp3s = {p.name: read_mp3(p) for p in (tmp_path / "audio_out").glob("*.mp3")}
    assert len(mp3s) == 2  # the article (built twice: the second replaced the first) and the digest
    (article,) = [m for n, m in mp3s.items() if n.startswith("80-of-ms")]
    (digest,) = [m for n, m in mp3s.items() if n.startswith("weekend-reads")]
    assert len(article.chapters) == 21 and {c.part for c in digest.chapters} > {""}
    printed = proc.stdout.splitlines()
    assert printed[-21:] == [f"{c.start_ms // 1000} {c.title}" for c in article.chapters]
    page = (tmp_path / "audio_out" / next(n for n in mp3s if n.startswith("80-of-ms"))).with_suffix(".html")
    assert "piper" in page.read_text(encoding="utf-8").lower()  # the questions' voice, credited
