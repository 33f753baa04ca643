"""An episode's identity: its permanent id (guid) and the credit line of its article."""

from __future__ import annotations

import hashlib
import re
import uuid

from .model import Meta, Script


def episode_guid(script: Script, origin: str = "") -> str:
    """The episode's permanent id: the script's ``guid``, else the article's source URL, else for an article read
    from a file (``origin``: its name) the show, the title and that name (an edited article stays the same
    episode, its audio replaced), else :func:`content_guid`."""
    m = script.meta
    if m.guid.strip():
        return m.guid.strip()
    if re.match(r"^https?://\S+$", m.source.strip()):
        return m.source.strip()
    if origin:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "articlecast:file:" + "\n".join([m.show.name, m.title, origin])))
    return content_guid(script)


def content_guid(script: Script) -> str:
    """An id from the show, the title and every word of the script (a different text is a different episode):
    the guid of an article read from a file before 0.3, and of a script without a guid of its own."""
    m = script.meta
    words = "\n".join(s.text for c in script.chapters for s in c.segments)
    blob = "\n".join([m.show.name, m.title, words])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "articlecast:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()))


def credit_line(meta: Meta) -> str:
    """One line that credits an article: its title, author and where it came from."""
    by = f", by {meta.show.author}" if meta.show.author != meta.show.name else ""
    return f"{meta.title}{by}" + (f": {meta.source}" if meta.source else "")


