"""The one place this package uses mutagen's internals: an ID3 tag whose frames are saved in time order.

Why: mutagen sorts frames by size when it saves, which puts CHAP frames out of time order, and ffprobe (and some
players) list chapters in stored order. mutagen has no public way to order frames, so :class:`OrderedID3`
overrides its ``ID3._write`` and serializes each frame with mutagen's own ``save_frame``: text frames first, then
the CTOCs (the top level first), the CHAP frames by start time, pictures last.

Pinned to the versions tested (:data:`TESTED`, and pyproject.toml's range); tests/test_adapters.py fails loudly
when mutagen changes either name or its signature, and tests/test_episode.py checks the order with ffprobe. The
missing option, proposed upstream in the closing note of this change: ``ID3.save(..., order=key)``.
"""

from __future__ import annotations

from mutagen.id3 import ID3, CTOCFlags, Frame
from mutagen.id3._tags import save_frame  # noqa: PLC2701 - mutagen's own frame serializer (see above)

__all__ = ["TESTED", "OrderedID3"]

TESTED = ("1.47", "1.48")
"""The mutagen releases whose ``ID3._write(self, config)`` and ``save_frame(frame, config=)`` this was tested
with."""


class OrderedID3(ID3):
    """An ID3 tag that keeps chapters in time order when saved."""

    def _write(self, config: object) -> bytes:  # overrides mutagen's size-sorted writer
        def rank(frame: Frame) -> tuple[int, float]:
            if frame.FrameID == "CTOC":  # the top level first, then each part's in order
                return (1, -1 if frame.flags & CTOCFlags.TOP_LEVEL else int(frame.element_id[3:] or 0))
            if frame.FrameID == "CHAP":
                return (2, frame.start_time)
            if frame.FrameID == "APIC":
                return (3, 0)
            return (0, 0)

        frames = sorted(self.values(), key=rank)
        return b"".join(save_frame(f, config=config) for f in frames)
