#!/usr/bin/env python3
"""A free theme for trying the show's music: a soft C major chord with a slow swell, rendered by the ffmpeg that
imageio-ffmpeg ships (no recording, no licence to worry about: it is made here, from sine waves).

    python tools/theme.py theme.flac            # 30 s; the format follows the extension (.mp3, .wav, .flac, .ogg)
    python speak.py build script/sample.txt --music theme.flac
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

CHORD = (261.63, 329.63, 392.0, 523.25)
"""C4, E4, G4, C5, Hz."""


def render(path: Path, seconds: float = 30.0) -> Path:
    """Write the theme to ``path``."""
    inputs = [arg for hz in CHORD for arg in ("-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}")]
    shape = (f"amix=inputs={len(CHORD)},tremolo=f=0.25:d=0.3,afade=t=in:d=2,"
             f"afade=t=out:st={seconds - 3}:d=3,volume=0.8")
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *inputs, "-filter_complex", shape,
                    str(path)], check=True)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output", type=Path, help="where to write it (.flac, .mp3, .wav, .ogg)")
    ap.add_argument("--seconds", type=float, default=30.0, help="its length (default 30)")
    args = ap.parse_args()
    render(args.output, args.seconds)
    print(f"wrote {args.output}; try: python speak.py build script/sample.txt --music {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
