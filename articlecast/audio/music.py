"""The show's own sound: a theme under the intro and the outro, ducked under the voice, and a sting between the
article and its questions (or a digest's articles) — the user's own audio files, loaded and shaped with pydub.

The one decoder (:func:`~..util.ffmpeg.decode`: the ffmpeg imageio-ffmpeg ships) reads any format it knows —
MP3, WAV, FLAC, Ogg, M4A — as mono samples at the mix's rate, and pydub does the rest: trimming with a fade,
level. A theme longer than
:data:`THEME_MAX_SECONDS` is trimmed with a fade (and the build says so); a file that is missing, unreadable,
silent or far too long (:data:`FAR_TOO_LONG_SECONDS`) is one line before any speech is made.

The bed's gain is not a compressor's: the mixer knows where every sentence of the intro and outro starts and
ends, and :func:`envelope` follows that timeline with smooth ramps, keeping the music :data:`DUCK_DB` under its
own level — :data:`UNDER_SPEECH_LU` under the speech — while the voice speaks, at its level between.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import mutagen
import numpy as np

with warnings.catch_warnings():  # pydub looks for a system ffmpeg when imported; it is never asked to run one here
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from ..errors import AudioError, InputError
from ..models import MIX_RATE
from ..script.model import Music
from ..util.ffmpeg import decode
from ..util.loudness import MIX_TARGET, hop_energies, loudness_of_hops
from .sounds import CHIME_SECONDS, TRANSITION_SECONDS

log = logging.getLogger(__name__)

THEME_MAX_SECONDS = 120.0
"""The most of a theme used (the intro it plays under is far shorter); a longer one is trimmed with a fade."""
STING_MAX_SECONDS = 8.0
"""The longest sting; a longer one is trimmed with a fade."""
FAR_TOO_LONG_SECONDS = 20 * 60.0
"""A music file this long is no theme (an album? a podcast?): refused."""
SILENT_DBFS = -60.0
"""Music quieter than this throughout is silent: refused."""
ALONE_LU = 6.0
"""The music alone sits this far under the speech's loudness (a bed, not a song)."""
UNDER_SPEECH_LU = 26.0
"""While the voice speaks the music sits this far under the speech: WCAG 1.4.7 asks at least 20 dB."""
DUCK_DB = UNDER_SPEECH_LU - ALONE_LU
"""How far the music is lowered while the voice speaks."""
RAMP_SECONDS = 0.35
"""How long the music takes to go down before a sentence and to come back up after it."""
HOLD_SECONDS = 1.5
"""A pause between sentences shorter than this keeps the music down (it would pump otherwise)."""
THEME_LEAD_SECONDS = 4.0
"""The theme alone before the host's first words."""
THEME_SWELL_SECONDS = 2.5
"""The theme back up after the intro's last words, fading out before the article."""
THEME_TAIL_SECONDS = 5.0
"""The theme alone after the outro, fading out: the episode's end."""
FADE_SECONDS = 1.5
"""Fades at the ends of the theme's passages."""
SHAPING = ("music-1", THEME_MAX_SECONDS, STING_MAX_SECONDS, ALONE_LU, UNDER_SPEECH_LU, RAMP_SECONDS, HOLD_SECONDS,
           THEME_LEAD_SECONDS, THEME_SWELL_SECONDS, THEME_TAIL_SECONDS, FADE_SECONDS)
"""Everything that shapes the music, in its cache key: a change here mixes again."""


@dataclass(frozen=True)
class Sounds:
    """The show's sound, loaded and shaped: mono float32 samples at MIX_RATE, at the level they are mixed at
    (the theme at its level alone; the envelope lowers it under speech)."""

    theme: np.ndarray
    """The theme (trimmed to THEME_MAX_SECONDS)."""
    sting: np.ndarray | None
    """The sting, or None."""
    digest: str
    """What the sound is made of (the files' contents and how they are shaped), for the encoded-audio cache key."""
    names: tuple[str, ...]
    """The files' names, for the listening page, show notes and credits."""
    credit: str = ""
    """The script's credit line for the music ("Theme: 'Morning' by ..., CC BY 4.0"), or empty."""


def _length(path: Path) -> float | None:
    try:
        info = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError):
        return None
    return float(info.info.length) if info is not None and getattr(info, "info", None) else None


def _segment(path: Path, key: str, limit: float) -> tuple[AudioSegment, bool]:
    """The first ``limit`` seconds of a music file, mono at MIX_RATE, and whether the file is longer."""
    if not path.exists():
        raise InputError(f"{path}: no such music file ({key}); check the path (relative to the script)")
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "a pipe or a device"
        raise InputError(f"{path}: is {kind}, not a music file ({key}); give an MP3, WAV, FLAC, Ogg or M4A file")
    length = _length(path)
    if length is not None and length > FAR_TOO_LONG_SECONDS:
        raise InputError(f"{path}: is {length / 60:.0f} minutes long, far too long for {key} (at most "
                         f"{FAR_TOO_LONG_SECONDS / 60:.0f} minutes; a theme is seconds to a few minutes): cut it first")
    try:
        audio = decode(path, MIX_RATE, seconds=limit + 1)
    except AudioError as e:
        raise InputError(f"{path}: cannot be read as audio for {key} ({e}); give an MP3, WAV, FLAC, Ogg or M4A "
                         "file") from None
    pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767).astype("<i2")
    segment = AudioSegment(pcm.tobytes(), sample_width=2, frame_rate=MIX_RATE, channels=1)
    longer = len(segment) > limit * 1000
    return segment, longer


def _shaped(segment: AudioSegment, path: Path, key: str, limit: float) -> np.ndarray:
    """At most ``limit`` seconds (trimmed with a fade), at ALONE_LU under the speech."""
    if segment.dBFS < SILENT_DBFS:
        raise InputError(f"{path}: is silent ({key}); give the music file itself")
    if len(segment) > limit * 1000:
        segment = segment[: int(limit * 1000)].fade_out(int(FADE_SECONDS * 1000))
    samples = np.array(segment.get_array_of_samples(), dtype=np.float32) / 32768.0
    level = loudness_of_hops(hop_energies(samples, MIX_RATE), MIX_RATE)
    if not np.isfinite(level):
        raise InputError(f"{path}: is silent ({key}); give the music file itself")
    return (samples * 10 ** ((MIX_TARGET - ALONE_LU - level) / 20)).astype(np.float32)


def music_digest(music: Music, folder: Path) -> str:
    """What the show's sound is made of — the files' contents and how they are shaped — for the encoded-audio
    cache's key and the build's (a theme changed in place is a new episode); "" when a file is unreadable (the
    build then says so, before any speech)."""
    digest = hashlib.sha256(repr(SHAPING).encode())
    files = music.anchored(folder)
    try:
        for path in (files.theme, files.sting):
            if path:
                digest.update(path.encode() + b"\0" + Path(path).read_bytes())
    except OSError:
        return ""
    return digest.hexdigest()[:32]


def load_music(music: Music, folder: Path) -> Sounds:
    """The show's sound from the script's ``show.music`` (paths relative to ``folder``): one line for a file
    that is missing, unreadable, silent or far too long."""
    files = music.anchored(folder)
    theme_path = Path(files.theme)
    segment, longer = _segment(theme_path, "show.music.theme", THEME_MAX_SECONDS)
    if longer:
        log.warning("%s: the theme is longer than %.0f s; its first %.0f s are used, faded out", theme_path.name,
                    THEME_MAX_SECONDS, THEME_MAX_SECONDS)
    theme = _shaped(segment, theme_path, "show.music.theme", THEME_MAX_SECONDS)
    sting = None
    names = [theme_path.name]
    if files.sting:
        sting_path = Path(files.sting)
        sting_segment, _ = _segment(sting_path, "show.music.sting", STING_MAX_SECONDS)
        sting = _shaped(sting_segment, sting_path, "show.music.sting", STING_MAX_SECONDS)
        names.append(sting_path.name)
    return Sounds(theme, sting, music_digest(music, folder), tuple(names), music.credit)


def music_seconds(sounds: Sounds, stings: int) -> float:
    """How much longer the show's sound makes an episode than the chimes and notes do, with ``stings`` stings in
    place of notes (for the length the intro says)."""
    sting = len(sounds.sting) / MIX_RATE - TRANSITION_SECONDS if sounds.sting is not None else 0.0
    return (THEME_LEAD_SECONDS - CHIME_SECONDS) + THEME_SWELL_SECONDS + (THEME_TAIL_SECONDS - CHIME_SECONDS) \
        + stings * sting


def _smooth(x: np.ndarray) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))).astype(np.float32)


def envelope(length: int, speech: list[tuple[int, int]], rate: int = MIX_RATE) -> np.ndarray:
    """The bed's gain over ``length`` samples: 1 (its level alone) where no one speaks, DUCK_DB lower over every
    (start, end) of ``speech`` (samples from the bed's start), with raised-cosine ramps of RAMP_SECONDS before
    and after each; the pauses between sentences (gaps under HOLD_SECONDS) stay down."""
    ramp = max(1, int(RAMP_SECONDS * rate))
    merged: list[list[int]] = []
    for start, end in sorted(speech):  # the pauses between sentences stay down: no pumping
        if merged and start - merged[-1][1] < HOLD_SECONDS * rate:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    down = np.zeros(length, np.float32)  # how far down: 0 (alone) to 1 (under speech)
    t = np.arange(length, dtype=np.float32)
    for start, end in merged:
        a, b = max(0, start - ramp), min(length, end + ramp)
        if a >= b:
            continue
        span = t[a:b]
        rise = _smooth((span - (start - ramp)) / ramp)
        fall = _smooth(((end + ramp) - span) / ramp)
        down[a:b] = np.maximum(down[a:b], np.minimum(rise, fall))
    return (10 ** (-DUCK_DB * down / 20)).astype(np.float32)


def fades(x: np.ndarray, fade_in: float = 0.0, fade_out: float = FADE_SECONDS, rate: int = MIX_RATE) -> np.ndarray:
    """``x`` with raised-cosine fades at its ends."""
    y = x.copy()
    n_in, n_out = min(len(y), int(fade_in * rate)), min(len(y), int(fade_out * rate))
    if n_in:
        y[:n_in] *= _smooth(np.arange(n_in, dtype=np.float32) / n_in)
    if n_out:
        y[len(y) - n_out:] *= _smooth(np.arange(n_out, 0, -1, dtype=np.float32) / n_out)
    return y


def bed(theme: np.ndarray, length: int, speech: list[tuple[int, int]], fade_in: float = 0.0,
        rate: int = MIX_RATE) -> np.ndarray:
    """The theme as a bed of ``length`` samples (looped when shorter), ducked under ``speech``, faded at its
    ends."""
    reps = -(-length // len(theme))
    x = np.tile(theme, reps)[:length] if reps > 1 else theme[:length]
    return fades(x * envelope(len(x), speech, rate), fade_in, FADE_SECONDS, rate)
