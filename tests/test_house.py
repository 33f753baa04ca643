"""The house itself: stages as packages that import only the stages before them (no cycles), our own imports at
the top of each module, the public API, docs/design.md's layout table naming every module, and the Python example in
README running as written."""

from __future__ import annotations

import ast
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
    {"errors", "models", "options", "stops", "files", "cache", "clock", "ffmpeg", "loudness", "images"},
    {"inputs"}, {"script"}, {"voice"}, {"audio"}, {"publish"}, {"check"}, {"loading", "builder"}, {"batch"},
    {"cli", "__main__"}, {"__init__"},
]
"""The data flows one way: a module may import its own layer's modules (no cycle) and those of layers above it."""


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else "__init__"
    return next(n for n, names in enumerate(LAYERS) if top in names)


def _imports(module: str, path: Path) -> list[tuple[str, bool]]:
    """(our module it imports, whether at the module's top level) for every import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
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
        out += [(t, id(node) in top_level) for t in targets if t == "articlecast" or t.startswith("articlecast.")]
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
              if not top and not t.endswith("ray_pool")]  # Ray is an optional extra, imported where it is used
    assert not inside, inside


def test_the_public_api() -> None:
    assert set(articlecast.__all__) >= {"Builder", "Options", "Progress", "load", "Published", "check_episode",
                                        "run_batch", "read_mp3", "ArticlecastError", "Stopped"}
    for name in articlecast.__all__:
        assert getattr(articlecast, name) is not None, name
    with pytest.raises(AttributeError):
        articlecast.nothing_of_the_kind  # noqa: B018


def test_a_speech_worker_loads_only_what_speech_needs() -> None:
    """The package's API is imported when first used: a worker process (the voice stage) imports none of the
    heavy libraries of the other stages."""
    code = ("import sys, articlecast.voice.workers; "
            "print(sorted(m for m in ('trafilatura', 'lxml', 'PIL', 'feedgen', 'mutagen', 'markdown_it', 'feedparser',"
            " 'scipy', 'faster_whisper', 'articlecast.builder', 'articlecast.publish') if m in sys.modules))")
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


def test_the_python_example_in_readme_runs_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use it from Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    (tmp_path / "script").mkdir()
    shutil.copy(ROOT / "script" / "sample.txt", tmp_path / "script" / "sample.txt")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (mp3,) = (tmp_path / "audio_out").glob("*.mp3")
    assert str(Path("audio_out") / mp3.name) in proc.stdout
    assert len(read_mp3(mp3).chapters) == 21
