"""An episode's captions (its WebVTT) read back: what each sentence meant and when."""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import InputError


def read_captions(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue in a WebVTT file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no captions beside the episode; check needs the .vtt that speak.py build "
                         "writes next to the MP3 (rebuild it, or keep the two together)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: captions cannot be read ({e}); rebuild the episode") from None
    if not text.startswith("WEBVTT"):
        raise InputError(f"{path}: not WebVTT captions; rebuild the episode with speak.py build")
    stamp = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for k, line in enumerate(lines):
            m = re.match(rf"\s*{stamp}\s+-->\s+{stamp}", line)
            if m:
                g = [int(x or 0) for x in m.groups()]
                start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
                end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
                words = html.unescape(re.sub(r"<[^>]+>", "", " ".join(lines[k + 1:])))
                if words.strip() and end > start:
                    cues.append((start, end, words.strip()))
                break
    if not cues:
        raise InputError(f"{path}: no captions in it; rebuild the episode with speak.py build")
    return cues
