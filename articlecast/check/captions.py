"""An episode's captions (its WebVTT) read back: what each sentence meant and when."""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import InputError
from ..util.wide import joined


def read_captions(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every sentence in a WebVTT file: its cues, those whose identifiers name the same
    sentence ("12-1", "12-2": the blocks of the 12th) joined into one."""
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
    cues: list[tuple[float, float, str]] = []
    last_id = ""
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for k, line in enumerate(lines):
            m = re.match(rf"\s*{stamp}\s+-->\s+{stamp}", line)
            if m:
                g = [int(x or 0) for x in m.groups()]
                start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
                end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
                words = html.unescape(re.sub(r"<[^>]+>", "", joined(lines[k + 1:]))).strip()
                sentence = lines[k - 1].strip().split("-")[0] if k and "-" in lines[k - 1] else ""
                if words and end > start:
                    if sentence and sentence == last_id and cues:
                        cues[-1] = (cues[-1][0], end, joined((cues[-1][2], words)))
                    else:
                        cues.append((start, end, words))
                    last_id = sentence
                break
    if not cues:
        raise InputError(f"{path}: no captions in it; rebuild the episode with speak.py build")
    return cues
