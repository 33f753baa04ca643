"""Images: cover art as Apple asks for it (square, 1400 to 3000 pixels, JPEG or PNG), the user's own checked,
and a web page's lead image made into one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..errors import InputError

MIN_SIDE, MAX_SIDE = 1400, 3000
"""The sides cover art may have, pixels (Apple Podcasts)."""
MAX_PIXELS = 40_000_000
"""The most pixels an image may have to be decoded at all (a web page's lead image is cut down to MAX_SIDE)."""


@dataclass(frozen=True)
class Cover:
    """An image ready to embed and publish."""

    data: bytes
    """The encoded image."""
    mime: str
    """"image/png" or "image/jpeg"."""

    @property
    def suffix(self) -> str:
        """File extension for the image."""
        return ".png" if self.mime == "image/png" else ".jpg"


def _opened(source: Path | io.BytesIO) -> Image.Image:
    """An image opened (its header read, nothing decoded), refused when it has more than MAX_PIXELS (a few hundred
    kB of PNG can hold a picture that takes gigabytes to decode)."""
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # Pillow's own check, done here with the size
    try:
        img = Image.open(source)
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    w, h = img.size
    if w * h > MAX_PIXELS:
        img.close()
        raise TooLarge(f"{w}x{h} pixels")
    return img


class TooLarge(ValueError):
    """An image with more pixels than MAX_PIXELS."""


def load_cover(path: Path, folder: Path | None = None) -> Cover:
    """The user's own cover, checked: a regular file (inside ``folder``, when given), JPEG or PNG, square, 1400 to
    3000 pixels a side, at most MAX_PIXELS before it is decoded; stored as RGB."""
    hint = "or remove the image from the script to use a generated cover"
    if folder is not None and not path.resolve().is_relative_to(folder.resolve()):
        raise InputError(f"{path}: cover art must lie beside the script (or in a folder under it), so that a script "
                         f"from elsewhere cannot publish this machine's files; copy it there, {hint}")
    if path.exists() and not path.is_file():
        raise InputError(f"{path}: is not a regular file; give a JPEG or PNG, {hint}")
    try:
        with _opened(path) as img:
            kind, (w, h) = img.format, img.size
            if kind not in ("JPEG", "PNG"):
                raise InputError(f"{path}: cover art must be JPEG or PNG, not {kind}; convert it, {hint}")
            if w != h or not MIN_SIDE <= w <= MAX_SIDE:
                raise InputError(f"{path}: cover art is {w}x{h} pixels; it must be square, {MIN_SIDE} to {MAX_SIDE} "
                                 f"pixels a side (Apple Podcasts); resize it, {hint}")
            img.load()
            if img.mode == "RGB":
                return Cover(path.read_bytes(), "image/png" if kind == "PNG" else "image/jpeg")
            rgb = Image.new("RGB", img.size, (255, 255, 255))
            rgb.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
            out = io.BytesIO()
            rgb.save(out, kind, **({"quality": 92} if kind == "JPEG" else {"optimize": True}))
            return Cover(out.getvalue(), "image/png" if kind == "PNG" else "image/jpeg")
    except TooLarge as e:
        raise InputError(f"{path}: cover art is {e}; it must be square, {MIN_SIDE} to {MAX_SIDE} pixels a side, "
                         f"{hint}") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such image; check the path in the script, {hint}") from None
    except UnidentifiedImageError:
        raise InputError(f"{path}: is not an image Pillow can read; use a JPEG or PNG, {hint}") from None


def square_cover(data: bytes) -> bytes | None:
    """A web page's lead image made fit for cover art: cut to its central square and scaled to at most
    MAX_SIDE, as an RGB JPEG; None when it is not an image or too small (under MIN_SIDE on its short side)."""
    try:
        with _opened(io.BytesIO(data)) as img:
            w, h = img.size
            if min(w, h) < MIN_SIDE:
                return None
            img.load()
            side = min(w, h)
            if side < MIN_SIDE:
                return None
            left, top = (w - side) // 2, (h - side) // 2
            square = img.convert("RGB").crop((left, top, left + side, top + side))
            if side > MAX_SIDE:
                square = square.resize((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            square.save(out, "JPEG", quality=90)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):  # TooLarge is a ValueError
        return None
