"""Property-based: whatever a user feeds the build (random text, random bytes, random Markdown), it either
builds an episode (silent engine) or ends with exit 2 and one line: never a traceback, never a bug's exit 1,
never a half-written file."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articlecast.cli import run as main

MD_PIECES = st.sampled_from([
    "# ", "## ", "### ", "- ", "1. ", "> ", "**", "*", "`", "```\n", "---\n", "\n", "\n\n", "FAQ\n", "Q: ", "?",
    "[link](javascript:alert(1))", "![img](data:x)", "<script>x</script>", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "https://example.com/x", "Dr. Smith", "2-3 mg", "Привет", "東京", "🎉", "\ufeff", "\x00", "\r\n", "\t",
])
MARKDOWN = st.lists(st.one_of(MD_PIECES, st.text(max_size=40)), max_size=30).map("".join)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", str(src), "--engine", "silent", "-q", "-o", str(out)])
        said = [ln for ln in err.getvalue().splitlines() if ln.startswith("speak:")]
        assert "Traceback" not in err.getvalue()
        assert code in (0, 2), err.getvalue()
        if code == 2:
            assert len(said) == 1 and said[0].startswith("speak: error: "), err.getvalue()
            assert not out.exists() or not list(out.glob("*.mp3"))
        else:
            assert len(list(out.glob("*.mp3"))) == 1
        assert not out.exists() or not [p for p in out.iterdir() if p.name.endswith(".part")]


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    build(text.encode("utf-8"), ".txt")


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    build(data, ".txt")


@SETTINGS
@given(MARKDOWN)
def test_random_markdown(text: str) -> None:
    build(text.encode("utf-8"), ".md")
