"""Generated cover art: the show and the episode's title, white on deep blue (over 15:1 contrast), the fewest
and largest words that fit, legible as a thumbnail."""

from __future__ import annotations

import io
import unicodedata

from PIL import Image, ImageDraw, ImageFont

from ..util.images import Cover

SIZE = 1400
"""Side of a generated cover, pixels."""
BACKGROUND = (13, 27, 62)
TEXT = (255, 255, 255)
ACCENT = (255, 210, 63)


def _drawable(text: str) -> str:
    # the built-in font has Latin letters and punctuation, not emoji or pictographs
    kept = [ch for ch in text if unicodedata.category(ch)[0] in "LNPZ" or unicodedata.category(ch) in ("Sm", "Sc")]
    return " ".join("".join(kept).split())


def _wrap(draw, text: str, font, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


LINE = 1.15
"""Line height as a multiple of the font size."""


def _fit(draw, text: str, width: int, height: int, sizes: range):  # type: ignore[no-untyped-def]
    """The largest font (and its lines) for which the text fits the box; else the smallest, cut short."""
    max_lines = max(1, int(height / (sizes[-1] * LINE)))
    for size in sizes:
        font = ImageFont.load_default(size=size)
        lines = _wrap(draw, text, font, width)
        fits = all(draw.textlength(line, font=font) <= width for line in lines)
        if fits and len(lines) * size * LINE <= height:
            return font, lines
    font = ImageFont.load_default(size=sizes[-1])
    lines = _wrap(draw, text, font, width)[:max_lines]
    lines[-1] = lines[-1] + "…"
    return font, lines


def generate_cover(show: str, title: str = "") -> Cover:
    """A PNG cover with the show's name and, when given, the episode title."""
    img = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(img)
    margin = 110
    width = SIZE - 2 * margin
    bars_top = SIZE - margin - 200
    text = _drawable(title)
    show_text = _drawable(show).upper() or "PODCAST"
    show_font, show_lines = _fit(draw, show_text, width, 290 if text else bars_top - margin - 80,
                                 range(120 if text else 220, 59, -4))
    y = margin
    for line in show_lines:
        draw.text((margin, y), line, font=show_font, fill=ACCENT, stroke_width=2, stroke_fill=ACCENT)
        y += int(show_font.size * LINE)
    draw.rectangle((margin, y + 30, margin + 260, y + 52), fill=ACCENT)
    if text:
        top = y + 110
        font, lines = _fit(draw, text, width, bars_top - 60 - top, range(170, 59, -6))
        line_h = int(font.size * LINE)
        for i, line in enumerate(lines):
            draw.text((margin, top + i * line_h), line, font=font, fill=TEXT, stroke_width=3, stroke_fill=TEXT)
    # a row of bars, like a voice's level meter, along the bottom
    heights = [40, 90, 150, 70, 120, 200, 110, 60, 170, 95, 140, 50, 80]
    bar = width // (2 * len(heights))
    for i, h in enumerate(heights):
        x = margin + i * 2 * bar
        draw.rectangle((x, SIZE - margin - h, x + bar, SIZE - margin), fill=ACCENT)
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=6)  # optimize=True would take 0.2 s a cover for 2% less
    return Cover(out.getvalue(), "image/png")


