"""The voices a script names by default: hibari for every role, and "auto" for the FAQ's questions (a second
offline voice where one is installed, which the speech stage decides)."""

from __future__ import annotations

from ..models import ROLES
from .model import Voice

DEFAULT_VOICE = Voice("hibari", "heart", 1.0)
"""The voice of every role unless a script says otherwise."""
AUTO_VOICE = "auto"
"""An engine name that means: a second offline voice (piper's joe) if installed, else the narrator's."""


def default_voices() -> dict[str, Voice]:
    """hibari for every role; the FAQ's questions "auto": a second offline voice when one is installed."""
    voices = {r: DEFAULT_VOICE for r in ROLES}
    voices["question"] = Voice(AUTO_VOICE)
    return voices
