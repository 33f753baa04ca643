"""Bad input files give one clear error that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from articlecast.errors import InputError
from articlecast.inputs import input_kind
from articlecast.inputs import read_article as load_article
from articlecast.inputs.text import read_text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \n\n\t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"caf\xe9 au lait", "is not UTF-8"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_article(p)


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


def test_kinds(tmp_path: Path) -> None:
    assert input_kind(Path("a.TXT")) == "text"
    assert input_kind(Path("a.md")) == "markdown"
    assert input_kind(Path("a.yml")) == "script"
    assert input_kind(Path("page.HTM")) == "html"
    assert input_kind(Path("paper.PDF")) == "pdf"
    with pytest.raises(InputError, match=r"unknown file type '\.odt'; use \.txt, \.md, \.html, \.epub, \.docx or \.pdf"):
        input_kind(Path("a.odt"))


def test_bom_and_crlf(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffA Title\r\n\r\nSome text here.\r\n".encode())
    a = load_article(p)
    assert a.title == "A Title" and a.sections[0].paragraphs == ("Some text here.",)
