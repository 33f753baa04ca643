"""The voices a script names by default: for English, hibari for every role and "auto" for the FAQ's questions (a
second offline voice where one is installed, which the speech stage decides); for any other language, "auto" for
every role: the speech stage gives each the most natural voice installed that speaks the article's language."""

from __future__ import annotations

from ..models import ROLES
from .model import Voice

DEFAULT_VOICE = Voice("hibari", "heart", 1.0)
"""The voice of every role unless a script says otherwise."""
AUTO_VOICE = "auto"
"""An engine name that means: the voice this machine has for the role in the article's language (for the FAQ's
questions a second voice, piper's joe in English, if installed; else the narrator's)."""


def default_voices(language: str = "en") -> dict[str, Voice]:
    """An English article's: hibari for every role, "auto" for the FAQ's questions (a second offline voice when
    one is installed). Any other language's: "auto" for every role (chosen by language where it is spoken)."""
    if language.split("-")[0].lower() not in ("en", ""):
        return {r: Voice(AUTO_VOICE) for r in ROLES}
    voices = {r: DEFAULT_VOICE for r in ROLES}
    voices["question"] = Voice(AUTO_VOICE)
    return voices
