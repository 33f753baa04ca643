"""The app's settings (how it was started) and a listener's choices for one episode (what the form asked)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FieldError, has_credentials, shown_address
from ..models import ROLES, SPEED_WORDS, speed_ok
from ..options import names_engine

__all__ = ["APP_FOLDER", "DEFAULT_PORT", "MAX_UPLOAD_MB", "AppConfig", "Choices", "is_loopback"]

APP_FOLDER = ".articlecast-app"
"""The app's own folder inside the episodes' folder: its database and the articles given to it (never served,
never published)."""
DEFAULT_PORT = 8010
"""Where the app listens unless told otherwise."""
MAX_UPLOAD_MB = 50
"""The largest request (an uploaded document, pasted text), megabytes, by default."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to listen on) is this machine alone."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class AppConfig:
    """How the app runs. The defaults are ``speak.py app``'s."""

    folder: Path = Path("audio_out")
    """The episodes' folder and its feed (as ``build -o``); the app keeps its own state in ``APP_FOLDER`` inside."""
    host: str = "127.0.0.1"
    """The address to listen on: loopback (this computer only) unless told; any other address (``0.0.0.0``: every
    network the computer is on) puts every request behind the secret token in the app's link."""
    port: int = DEFAULT_PORT
    """The port (0: any free one)."""
    token: bool = False
    """Put every request behind the secret token on loopback too (a computer other people use); always so on any
    other address."""
    allow_private: bool = False
    """Let web addresses given to the app reach this computer and private networks (refused by default)."""
    max_upload_mb: int = MAX_UPLOAD_MB
    """The largest request, megabytes: a larger upload is refused before it is read."""
    publish_url: str = ""
    """Where "Publish" uploads the folder (as ``speak.py publish``: s3://, sftp://, file://); empty: no button.
    Credentials come from the environment, as for ``publish``; a password in this address is never shown."""
    base_url: str = ""
    """With ``publish_url``: the address the published files are reachable at (the feed's links)."""
    ray: str | None = None
    """Build on Ray (as ``build --ray``): None for speech threads here."""
    workers: int = 0
    """Sentences spoken at once (0: one per core, at most 4)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise FieldError("AppConfig", "port", self.port, "a port, 0 to 65535 (0: any free one)")
        if isinstance(self.max_upload_mb, bool) or not isinstance(self.max_upload_mb, int) or self.max_upload_mb < 1:
            raise FieldError("AppConfig", "max_upload_mb", self.max_upload_mb, "a number of megabytes, at least 1")
        if has_credentials(self.base_url):
            raise FieldError("AppConfig", "base_url", shown_address(self.base_url), "the address listeners use, "
                             "without a user name or password")

    @property
    def network(self) -> bool:
        """Whether every request needs the secret token: the app is reachable from other computers (or was asked
        to, with ``token``)."""
        return self.token or not is_loopback(self.host)

    @property
    def state(self) -> Path:
        """The app's own folder."""
        return self.folder / APP_FOLDER


SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
"""The paces the form offers."""


@dataclass(frozen=True)
class Choices:
    """What the listener chose for an episode in the form; every default is the command line's."""

    voice: str = ""
    """One voice for every role ("ENGINE:VOICE"); empty: the article's language chooses."""
    question_voice: str = ""
    """A voice for the FAQ's questions; empty: the default."""
    speed: float = 1.0
    """The pace."""
    theme: str = ""
    """The theme's file name in the app's folder (an uploaded sound); empty: the show's chimes."""
    digest: str = ""
    """With several articles: one episode of them all, of this title; empty: an episode each."""
    voices: dict[str, str] = field(default_factory=dict)
    """Derived: the voices by role (the question voice, when chosen)."""

    def __post_init__(self) -> None:
        if self.voice and not names_engine(self.voice):
            raise FieldError("Choices", "voice", self.voice, "ENGINE or ENGINE:VOICE")
        if self.question_voice and not names_engine(self.question_voice):
            raise FieldError("Choices", "question_voice", self.question_voice, "ENGINE or ENGINE:VOICE")
        if isinstance(self.speed, bool) or not isinstance(self.speed, (int, float)) or not speed_ok(self.speed):
            raise FieldError("Choices", "speed", self.speed, SPEED_WORDS)
        if self.theme and ("/" in self.theme or "\\" in self.theme or self.theme.startswith(".")):
            raise FieldError("Choices", "theme", self.theme, "a file name in the app's folder")
        voices = {"question": self.question_voice} if self.question_voice else {}
        assert all(role in ROLES for role in voices)
        object.__setattr__(self, "voices", voices)

    def to_data(self) -> dict[str, object]:
        """As the job keeps them."""
        return {"voice": self.voice, "question_voice": self.question_voice, "speed": self.speed, "theme": self.theme,
                "digest": self.digest}

    @classmethod
    def from_data(cls, data: dict[str, object]) -> Choices:
        """From what a job kept."""
        speed = data.get("speed", 1.0)
        return cls(voice=str(data.get("voice", "")), question_voice=str(data.get("question_voice", "")),
                   speed=float(speed) if isinstance(speed, (int, float, str)) else 1.0,
                   theme=str(data.get("theme", "")), digest=str(data.get("digest", "")))
