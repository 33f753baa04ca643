"""Publishing a built folder where listeners are: any address fsspec opens — ``s3://bucket/podcast/`` (s3fs: AWS,
and S3-compatible stores such as R2, B2 or MinIO through ``AWS_ENDPOINT_URL``), ``sftp://host/var/www/podcast/``
(paramiko), ``file:///srv/podcast/``. Credentials are the libraries' own (environment, profiles, SSH agent and
keys); nothing of them is written anywhere.

A second, separate step after the build (which has already published the folder as one transaction):

- **only what changed** is uploaded: a record of the files' SHA-256 (:data:`MANIFEST`) is kept on the remote;
  files whose hash it already has (and that are there, at their size) are skipped, so a second publish of an
  unchanged folder uploads nothing;
- **one transaction with a truthful record**: the record never names a file that is not there with that hash.
  Files about to be replaced or deleted leave the record first; then the media and companions are uploaded, the
  record says so, the feed goes up (so the feed never names a file that is not there yet) and the record
  becomes the folder's; only then are the files the feed no longer names deleted (the record keeps them as
  ``delete`` until they are gone, so a stopped or failed deletion is finished by the next publish). A publish
  that finds a recorded file missing or of another size uploads it again;
- names read from the record stay inside the remote folder (:func:`~articlecast.util.files.plain_name`), and a
  symbolic link in the local folder is never uploaded;
- each file with its **Content-Type** (:data:`CONTENT_TYPES`; charset for text) and the feed with a short
  ``Cache-Control``, on stores that keep them (S3); on SFTP and local folders each file is written under a
  temporary name and renamed, so a reader never sees half a file;
- a stop (Ctrl-C) is answered between files, and a dropped connection is one line: either way before the feed,
  the remote feed is as it was, and the next publish finishes the job.

Before anything is uploaded, the feed must say where the files will be reachable: a feed that still points at
the local folder (``file://``, the default of a build without ``--base-url``) is refused in one line, unless
``base_url`` (``--base-url``) sets it — the folder's feed is then written again, as a build writes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
from filelock import FileLock

from .. import stops
from ..errors import OutputError, converted, has_credentials, shown_address
from ..util.files import plain_name, sha256_hex
from .feed import Channel, read_built, write_feed
from .folder import LOCK_NAME, LOCK_TIMEOUT
from .names import stem_of

log = logging.getLogger(__name__)

MANIFEST = ".articlecast-manifest.json"
"""The remote record of what was published: each file's SHA-256, and the files still to delete."""
FEED = "feed.xml"
"""The feed, uploaded after everything it names."""
CONTENT_TYPES = {
    ".mp3": "audio/mpeg", ".m4b": "audio/mp4", ".vtt": "text/vtt; charset=utf-8", ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".chapters.json": "application/json+chapters; charset=utf-8",
    ".check.json": "application/json; charset=utf-8", ".json": "application/json; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8", ".epub": "application/epub+zip", ".png": "image/png",
    ".jpg": "image/jpeg", ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
}
"""Each published file's Content-Type, by its ending (the longest ending that matches)."""
FEED_CACHE = "public, max-age=300"
"""The feed's Cache-Control: apps see a new episode within minutes."""
MEDIA_CACHE = "public, max-age=86400"
"""Everything else's (a rebuilt episode keeps its names, so not for ever)."""
CACHE = {FEED: FEED_CACHE, MANIFEST: "no-cache"}
"""Cache-Control by file; MEDIA_CACHE for the rest."""
STORES_WITH_TYPES = frozenset({"s3", "s3a", "gs", "gcs"})
"""Protocols whose objects keep a Content-Type and Cache-Control given at upload."""
SENT_WHOLE = frozenset({"gs", "gcs"})
"""Protocols a file goes to in one request (untested here); every other is written in parts (a folder, SFTP, S3's
multipart uploads)."""
PART_BYTES = 5 * 2**20
"""A file is uploaded in parts of this size (S3's smallest multipart part), a stop answered between them: a stop
waits for one part (4 s at 10 Mbit/s), never a whole MP3."""


def content_type(name: str) -> str:
    """A published file's Content-Type."""
    endings = sorted((e for e in CONTENT_TYPES if name.lower().endswith(e)), key=len, reverse=True)
    return CONTENT_TYPES[endings[0]] if endings else "application/octet-stream"


@dataclass(frozen=True)
class Uploaded:
    """What a publish did (or, with ``dry_run``, would do)."""

    url: str
    """Where to."""
    uploaded: tuple[str, ...]
    """The files uploaded, in order (the feed last)."""
    deleted: tuple[str, ...]
    """The remote files deleted (no longer in the folder)."""
    unchanged: int
    """How many files were already there, unchanged."""
    bytes: int
    """How many bytes were uploaded."""
    seconds: float
    """How long it took."""
    feed_url: str = ""
    """Where the feed is read from (its base URL + feed.xml)."""
    dry_run: bool = False
    """True when nothing was done."""


@dataclass
class _Remote:
    """A remote folder through fsspec."""

    fs: Any
    """The fsspec filesystem."""
    root: str
    """The folder's path in it."""
    typed: bool
    """Whether it keeps Content-Type (object stores)."""
    streamed: bool = True
    """Whether files go in parts (a folder, SFTP, S3), or in one request."""

    def path(self, name: str) -> str:
        return f"{self.root.rstrip('/')}/{name}" if self.root else name

    def read_manifest(self) -> tuple[dict[str, str], list[str]]:
        """The remote record: the files there with their SHA-256, and the files still to delete (names that are
        not plain file names of the folder are ignored: a record cannot point outside it)."""
        try:
            data = json.loads(self.fs.cat_file(self.path(MANIFEST)))
        except FileNotFoundError:
            return {}, []
        except ValueError:  # damaged: everything is uploaded again
            return {}, []
        data = data if isinstance(data, dict) else {}
        files = data.get("files", {})
        files = {str(k): str(v) for k, v in files.items() if plain_name(k)} if isinstance(files, dict) else {}
        delete = data.get("delete", [])
        return files, [n for n in delete if plain_name(n)] if isinstance(delete, list) else []

    def digest(self, name: str) -> str:
        """The SHA-256 of a (small) remote file, "" when it cannot be read."""
        try:
            return hashlib.sha256(self.fs.cat_file(self.path(name))).hexdigest()
        except (OSError, ValueError):
            return ""

    def sizes(self) -> dict[str, int] | None:
        """The remote folder's files and their sizes (None when it cannot be listed: nothing is assumed)."""
        try:
            self.fs.invalidate_cache(self.root)  # fsspec keeps listings per instance (and instances per process)
            entries = self.fs.ls(self.root, detail=True) if self.root or not self.typed else []
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, NotImplementedError):
            return None
        out = {}
        for entry in entries:
            if entry.get("type") != "directory":
                out[str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]] = int(entry.get("size") or 0)
        return out

    def record(self, files: dict[str, str], delete: list[str], feed: str) -> None:
        manifest = {"files": dict(sorted(files.items())), "delete": sorted(set(delete)), "feed": feed,
                    "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self.put(MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))

    def put(self, name: str, source: Path | bytes) -> None:
        """Upload a file (or bytes) as ``name``: on an object store with its headers, committed whole or not at
        all; elsewhere under a temporary name then renamed (never half a file under its name). A file goes in
        parts of PART_BYTES, a stop answered between them."""
        def send(target: str, **headers: str) -> None:
            if isinstance(source, bytes):
                self.fs.pipe_file(target, source, **headers)
            elif not self.streamed:
                self.fs.put_file(str(source), target, **headers)
            else:
                self._stream(source, target, **headers)

        if self.typed:
            send(self.path(name), ContentType=content_type(name), CacheControl=CACHE.get(name, MEDIA_CACHE))
            return
        partial = self.path(f".{name}.{os.getpid()}-{secrets.token_hex(4)}.part")  # one per writer
        try:
            send(partial)
            self.fs.mv(partial, self.path(name))
        except BaseException:
            try:  # never a half file left behind in the public folder (best effort: the connection may be gone)
                self.fs.rm_file(partial)
            except Exception:  # noqa: BLE001 - the first error is the one to tell
                pass
            raise

    def _stream(self, source: Path, target: str, **headers: str) -> None:
        out = self.fs.open(target, "wb", block_size=PART_BYTES, **headers)
        try:
            with open(source, "rb") as local:
                while chunk := local.read(PART_BYTES):
                    stops.check()  # a safe point: the file is not under its name yet (a store commits it at close)
                    out.write(chunk)  # a full part is sent now
        except BaseException:
            if self.typed:  # an object store's unfinished upload is abandoned: nothing was committed
                out.discard()
                out.closed = True  # and never committed by its finalizer either (fsspec's files close when collected)
            else:
                out.close()  # the temporary part, which put removes
            raise
        out.close()

    def delete(self, name: str) -> None:
        try:
            self.fs.rm_file(self.path(name))
        except FileNotFoundError:
            pass


def published_files(folder: Path) -> dict[str, Path]:
    """The files of a built folder that listeners need, by name: every episode's MP3 and companions, the show's
    cover and the feed (not the feed's own record, feed.json, nor anything else that is in the folder)."""
    show, items = read_built(folder, f"build an episode into it first (speak.py build ... -o {folder})")
    names = {FEED, show.artwork} if show.artwork else {FEED}
    for item in items:
        names.add(item.audio)
        names.update(item.files.values())
        stem = stem_of(item)
        names.update(n for n in (f"{stem}.md", f"{stem}.check.json") if (folder / n).is_file())
    linked = sorted(n for n in names if (folder / n).is_symlink())
    if linked:
        raise OutputError(f"{folder}: {linked[0]} is a symbolic link, not a file a build wrote; only the folder's own "
                          "files are published or served: build the episode again, or remove the link")
    missing = sorted(n for n in names if not (folder / n).is_file())
    if missing:
        raise OutputError(f"{folder}: {missing[0]} is missing ({len(missing)} file(s) the feed names); build the "
                          "episode again, or remove it (speak.py remove) before publishing")
    return {n: folder / n for n in sorted(names)}


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def _check_feed(path: Path, data: bytes) -> None:
    """The local feed (``data``, read from ``path``) must be a whole RSS document before it goes over a good remote
    one."""
    try:
        root = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False, no_network=True))
    except lxml.etree.XMLSyntaxError as e:
        raise OutputError(f"{path}: is not a whole feed ({' '.join(str(e).split())[:120]}); build an episode into the "
                          "folder again to rewrite it, then publish") from None
    if root.tag != "rss" or root.find("channel") is None:
        raise OutputError(f"{path}: is not an RSS feed (its root is <{root.tag}>); build an episode into the folder "
                          "again to rewrite it, then publish")


def _is_local_folder(base: str, folder: Path) -> bool:
    return base.startswith("file:") and base.rstrip("/") == folder.resolve().as_uri().rstrip("/")


def set_base_url(folder: Path, base_url: str) -> Channel:
    """Point the folder's feed at ``base_url`` (feed.json and feed.xml written again, as a build writes them)."""
    if not base_url.endswith("/"):
        base_url += "/"
    with converted(OutputError, folder), FileLock(str(folder / LOCK_NAME), timeout=LOCK_TIMEOUT):
        show, items = read_built(folder, f"build an episode into it first (speak.py build ... -o {folder})")
        show = dataclasses.replace(show, base_url=base_url)
        write_feed(folder, show, items)
    return show


def _remote_errors() -> tuple[type[BaseException], ...]:
    """The errors a remote store raises for a failed transfer: OSError (fsspec's own, and s3fs's translation of
    most S3 errors), and the backends' own when they are installed (botocore's, paramiko's)."""
    errors: list[type[BaseException]] = [OSError, TimeoutError]
    for module, names in (("botocore.exceptions", ("BotoCoreError", "ClientError")), ("paramiko", ("SSHException",))):
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        errors += [getattr(found, n) for n in names if hasattr(found, n)]
    return tuple(errors)


def _open(url: str, shown: str) -> _Remote:
    import fsspec  # noqa: PLC0415 - only publishing needs it (and its backends): not loaded by every command

    try:
        fs, root = fsspec.core.url_to_fs(url)
    except _remote_errors() as e:  # SFTP connects here: a host that does not answer, a refused login
        raise OutputError(f"{shown}: cannot be reached ({type(e).__name__}: {' '.join(str(e).split())[:160]}); "
                          "nothing was uploaded: check the address, the network and the credentials") from None
    except ImportError as e:  # a protocol whose backend is not installed
        raise OutputError(f"{shown}: cannot publish there ({e}); install the publish extra: pip install -e "
                          "'.[publish]'") from None
    except ValueError:
        raise OutputError(f"{shown}: is not an address to publish to; use s3://bucket/folder/, "
                          "sftp://host/path/ or file:///path/") from None
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return _Remote(fs, root, protocol in STORES_WITH_TYPES, protocol not in SENT_WHOLE)


def publish_to(folder: Path, url: str, base_url: str = "", dry_run: bool = False,
               progress: Callable[[str, int, int], None] | None = None) -> Uploaded:
    """Upload what changed in the built ``folder`` to ``url`` (see the module): media first, the feed last,
    removed files deleted after it, the manifest at the end. ``base_url`` points the feed at where the files
    will be reachable first; ``dry_run`` says what would be done and does nothing. ``progress(name, done,
    total)`` is told of each file as it is uploaded."""
    folder = Path(folder)
    started = time.perf_counter()
    secret = _password(url)
    url_shown = shown_address(url)
    if base_url and has_credentials(base_url):
        raise OutputError(f"{shown_address(base_url)}: a base URL with a user name or password would be written into "
                          "the feed for every listener to read; give the address listeners use, without them")
    show, _ = read_built(folder, f"build an episode into it first (speak.py build ... -o {folder})")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    if base_url and base_url != show.base_url and not dry_run:  # an unchanged feed is not written again
        show = set_base_url(folder, base_url)
    base = base_url or show.base_url
    if not base or _is_local_folder(base, folder):
        raise OutputError(f"{folder}: its feed points at the folder itself ({show.base_url or 'no address'}), not "
                          f"where {url_shown} will be reachable; pass --base-url https://... (the address those files are "
                          "served from)")
    files = published_files(folder)
    feed = (folder / FEED).read_bytes()  # read once: the feed checked, hashed and uploaded is one and the same
    _check_feed(folder / FEED, feed)
    hashes = {name: sha256_hex(path) for name, path in files.items() if name != FEED}
    hashes[FEED] = hashlib.sha256(feed).hexdigest()
    remote = _open(url, url_shown)
    errors = _remote_errors()
    uploaded: list[str] = []
    todo: list[str] = []
    sent = 0
    try:
        recorded, pending = remote.read_manifest()
        as_read = dict(recorded)
        there = remote.sizes()
        if there is not None:  # a recorded file that is gone, or of another size, is not there: upload it again
            recorded = {n: h for n, h in recorded.items() if n in there and (n not in files or
                        there[n] == files[n].stat().st_size)}
        if recorded.get(FEED) == hashes[FEED] and remote.digest(FEED) != hashes[FEED]:
            del recorded[FEED]  # the feed there is not the one recorded (another folder's, say): it goes up again
        todo = [n for n in files if n != FEED and recorded.get(n) != hashes[n]]
        todo.sort(key=lambda n: (not n.endswith(".mp3"), n))  # the audio first: the rest is small
        if recorded.get(FEED) != hashes[FEED] or todo:
            todo.append(FEED)
        gone = sorted({n for n in [*recorded, *pending] if n not in files and n != MANIFEST})
        if dry_run:
            return Uploaded(url_shown, tuple(todo), tuple(gone), len(files) - len(todo), sum(files[n].stat().st_size
                            for n in todo), time.perf_counter() - started, base + FEED, True)
        if not remote.typed and todo:  # a folder (local or over SFTP) is made when missing
            remote.fs.makedirs(remote.root, exist_ok=True)
        feed_url = base + FEED
        # the record first forgets what is about to change, so at no instant does it name a file that is not there
        # with its hash (a stop between two steps leaves a record that only makes the next publish do more)
        kept = {n: h for n, h in recorded.items() if n not in todo and n not in gone}
        if kept != as_read or gone or pending:
            remote.record(kept, gone, feed_url)
        for n, name in enumerate(todo, 1):
            stops.check()  # a safe point: before the feed, the remote feed is as it was
            if name == FEED and len(todo) > 1:
                remote.record(kept, gone, feed_url)  # the media are there: recorded before the feed names them
            remote.put(name, feed if name == FEED else files[name])
            uploaded.append(name)
            kept[name] = hashes[name]
            sent += len(feed) if name == FEED else files[name].stat().st_size
            if progress:
                progress(name, n, len(todo))
        if uploaded or not recorded:
            remote.record(hashes, gone, feed_url)  # the feed is up: the record is the folder's, deletions pending
        for name in gone:
            stops.check()
            remote.delete(name)
        if gone:
            remote.record(hashes, [], feed_url)
    except errors as e:
        reason = f"{type(e).__name__}: {' '.join(str(e).split())[:160]}"
        if secret:
            reason = reason.replace(secret, "***")
        if not todo:
            raise OutputError(f"{url_shown}: cannot be reached ({reason}); nothing was uploaded: check the address, the "
                              "network and the credentials, and publish again") from None
        where = "after the feed" if FEED in uploaded else "before the feed: the remote feed is as it was"
        done = min(len(uploaded) + 1, len(todo))
        raise OutputError(f"{url_shown}: upload failed at {done} of {len(todo)} files, {where} ({reason}); "
                          "run publish again to finish") from None
    return Uploaded(url_shown, tuple(uploaded), tuple(gone), len(files) - len(uploaded), sent,
                    time.perf_counter() - started, base + FEED)
