"""What kinds of file are inputs, by extension: the one place the list lives (readers, help texts and errors all
take it from here)."""

from __future__ import annotations

ARTICLE_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                    ".htm": "html", ".xhtml": "html", ".epub": "epub", ".docx": "word", ".pdf": "pdf"}
"""An article's kind, by the file's extension."""
SCRIPT_SUFFIXES = {".yaml", ".yml"}
"""A script's extensions (read by the script stage, not here)."""
_MAIN = [next(s for s, k in ARTICLE_SUFFIXES.items() if k == kind) for kind in dict.fromkeys(ARTICLE_SUFFIXES.values())]
ARTICLE_TYPES = ", ".join(_MAIN)
"""The main extension of each kind of article, for messages: ".txt, .md, .html, .epub, .docx, .pdf"."""
ARTICLE_TYPES_OR = f"{', '.join(_MAIN[:-1])} or {_MAIN[-1]}"
"""The same, as a choice: ".txt, .md, .html, .epub, .docx or .pdf"."""
