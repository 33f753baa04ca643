"""The app's pages: Flask (on the werkzeug that ``speak.py serve`` already uses; Jinja escapes every value it
puts into a page), server-sent events for live progress, and the episodes' files served with byte ranges.

Safe by default:

- On loopback only, requests must name this computer (``Host: 127.0.0.1``/``localhost``/``[::1]``), so that
  another site cannot reach the app through a name of its own that points here (DNS rebinding).
- On a network (``--host 0.0.0.0``), every request, loopback's too, must start with the app's secret token as its
  first path segment (``http://HOST:PORT/TOKEN/``): every link the app makes carries it (it is the app's root), and
  so do the feed's links, so a phone's podcast app subscribes with it.
- Every form carries a CSRF token (an HMAC of the app's secret), and a POST from another origin is refused.
- A request over the upload limit is refused from its Content-Length, before its body is read; uploaded files are
  stored under names the app makes (``werkzeug.utils.secure_filename``), in the app's own folder; nothing in a
  request ever names a path on disk.
- Every error is a page (or one line for the event stream), never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.utils import secure_filename, send_file

from ..errors import ArticlecastError, FieldError
from ..inputs.fetch import is_url
from ..inputs.kinds import ARTICLE_SUFFIXES, ARTICLE_TYPES
from ..publish.feed import FeedItem, read_items, render_feed
from ..publish.folder import remove_episode
from ..publish.serve import qr_svg
from ..publish.upload import FEED, FEED_CACHE, content_type, published_files
from ..voice.engines import engine_classes, get_engine
from .config import SPEEDS, AppConfig, Choices, is_loopback
from .jobs import JobStore
from .worker import Worker

log = logging.getLogger(__name__)

__all__ = ["create_app", "Guarded"]

THEME_SUFFIXES = (".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac")
"""The sounds a theme may be uploaded as."""
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")
"""The names a loopback-only app answers to."""
MAX_TITLE, MAX_URL = 300, 2000
"""The longest digest title and web address the form takes, characters."""
EVENT_KEEPALIVE = 15.0
"""Seconds between two comments on a quiet event stream (so that proxies and browsers keep it open)."""
EVENT_LIFETIME = 600.0
"""Seconds an event stream lasts before the browser is asked to reconnect (EventSource does so by itself)."""
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
"""The app's pages load nothing but its own files."""
BACK_LINK = ('<nav class="app-back" aria-label="App" lang="en"><a href="{href}"><span aria-hidden="true">← </span>'
             'Your episodes</a></nav>')
"""Put into a listening page the app serves, at the top of its header (after its skip link): the way back to the
library."""


def _voice_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The voices the form offers, by engine: every installed offline voice (espeak-ng's for the languages with
    natural voices only: it has a hundred)."""
    groups = []
    for name, cls in engine_classes().items():
        if not cls.offline or not cls.installed():  # (silent last: to try the app in seconds, without a voice)
            continue
        try:
            voices = get_engine(name).voices()
        except ArticlecastError:
            continue
        if name == "espeak":
            voices = [v for v in voices if v.name in ("en-us", "en-gb", "es", "fr-fr", "it", "pt-br", "de")]
        options = [(f"{name}:{v.name}", f"{v.name} ({v.language}) – {v.description}") for v in voices]
        if options:
            groups.append((f"{name} ({cls.licence})" if cls.licence else name, options))
    return groups


class Guarded:
    """WSGI: in network mode, a request is passed on only when its path starts with ``/TOKEN`` (the app's root,
    every page) or ``/FEED_TOKEN/files/`` (the published files alone: the address a phone subscribes to, which
    lets its holder listen and nothing more); anything else gets a 403 page."""

    def __init__(self, app: Any, token: str, feed_token: str) -> None:
        self.app = app
        self.token = token
        self.feed_token = feed_token

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        head, slash, rest = environ.get("PATH_INFO", "").lstrip("/").partition("/")
        admin = hmac.compare_digest(head.encode(), self.token.encode())
        listener = hmac.compare_digest(head.encode(), self.feed_token.encode()) and rest.startswith("files/")
        if admin or listener:
            root = environ.get("SCRIPT_NAME", "") + "/" + head
            if not slash:  # the bare token: on to the library, with a slash, so that relative links work
                start_response("308 Permanent Redirect", [("Location", root + "/"), ("Content-Length", "0")])
                return [b""]
            environ["SCRIPT_NAME"], environ["PATH_INFO"] = root, "/" + rest
            return self.app(environ, start_response)
        body = (b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Open the app with its link</title>'
                b'</head><body><main><h1>Open the app with its full link</h1><p>Every address of this app needs its '
                b"secret part. Open the link the app printed when it started (or scan its QR code).</p></main></body>"
                b"</html>")
        start_response("403 Forbidden", [("Content-Type", "text/html; charset=utf-8"),
                                         ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]


def _library(folder: Path) -> tuple[str, list[FeedItem], str]:
    """(show name, episodes newest first, a problem with the folder in words)."""
    try:
        show, items = read_items(folder)
    except ArticlecastError as e:
        return "", [], str(e)
    items = sorted(items, key=lambda i: (i.date, i.added), reverse=True)
    return (show.show.name if show else ""), items, ""


def _absolute(path: str) -> str:
    """An address of this app's, as the request reached it (a phone's feed links to where it found the feed)."""
    return request.host_url.rstrip("/") + path


def _duration(seconds: float) -> str:
    """An episode's length as people say it ("7 minutes", "1 hour 5 minutes")."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} hour{'s' if hours > 1 else ''}"] if hours else []) + \
        ([f"{minutes} minute{'s' if minutes > 1 else ''}"] if minutes else [])
    return " ".join(parts)


def _stored_name(filename: str, allowed: tuple[str, ...], fallback: str) -> str:
    """A safe name for an uploaded file: its own name made safe (no folders, no dots in front), its suffix kept."""
    name = secure_filename(filename) or fallback
    suffix = Path(filename).suffix.lower()
    if not name.lower().endswith(suffix):
        name = f"{Path(name).stem or fallback}{suffix}"
    return name if Path(name).suffix.lower() in allowed else fallback


def create_app(config: AppConfig, store: JobStore, worker: Worker, feed_token: str = "") -> Flask:
    """The app's WSGI application (wrap it in :class:`Guarded` in network mode, with the same ``feed_token``)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    limit = config.max_upload_mb * 1_000_000
    app.config.update(MAX_CONTENT_LENGTH=limit, MAX_FORM_MEMORY_SIZE=limit, SECRET_KEY=store.secret("session"),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", TEMPLATES_AUTO_RELOAD=False,
                      SESSION_COOKIE_NAME="articlecast_app")
    csrf = hmac.new(store.secret("csrf").encode(), b"csrf", hashlib.sha256).hexdigest()
    voices = _voice_options()
    offered = {"", *(value for _, options in voices for value, _ in options)}
    folder = config.folder
    inputs = config.state / "inputs"

    @app.context_processor
    def shared() -> dict[str, Any]:
        return {"csrf": csrf, "publishing": bool(config.publish_url), "duration": _duration,
                "config_upload": f"{config.max_upload_mb} MB"}

    @app.before_request
    def guard() -> None:
        if not config.network and (request.host.rsplit(":", 1)[0].strip("[]") not in LOCAL_NAMES):
            abort(403, "This app answers only at its own address on this computer (http://127.0.0.1:PORT/).")
        if request.content_length is not None and request.content_length > limit:
            abort(413)  # refused before a byte of the body is read
        if request.method == "POST":
            site = request.headers.get("Sec-Fetch-Site", "")
            origin = request.headers.get("Origin")
            if site == "cross-site" or (origin and origin.rstrip("/") != request.host_url.rstrip("/")):
                abort(403, "This form was sent from another site, so it was refused.")
            sent = request.form.get("csrf", "")
            if not hmac.compare_digest(sent.encode(), csrf.encode()):
                abort(403, "This form is out of date or did not come from the app; go back, reload the page and "
                           "try again.")

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")  # no other site embeds its files
        response.headers.setdefault("Referrer-Policy", "same-origin")  # no-referrer would make a form's Origin "null"
        if request.endpoint != "files":
            response.headers.setdefault("Content-Security-Policy", CSP)
        else:
            response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> tuple[str, int]:
        messages = {413: f"That is more than this app takes at once ({config.max_upload_mb} MB). Send a smaller file, "
                         "or start the app with a larger --max-upload.",
                    404: "There is nothing at this address. It may have been deleted."}
        code = e.code or 500
        message = messages.get(code) if code in messages and e.description == type(e).description else None
        return render_template("error.html", title=f"{code} {e.name}", message=message or e.description), code

    @app.errorhandler(Exception)
    def internal_error(e: Exception) -> tuple[str, int]:
        log.exception("internal error")
        return render_template("error.html", title="Something went wrong inside the app",
                               message=f"{type(e).__name__}: {e}. Your episodes are safe; go back and try again."), 500

    # ------------------------------------------------------------ the library

    @app.get("/")
    def library() -> str:
        show, items, problem = _library(folder)
        jobs = sorted(store.jobs(), key=lambda j: j.id, reverse=True)
        return render_template("library.html", title="Your episodes", page="library", show=show, items=items,
                               problem=problem, jobs=jobs, titles={i.guid: i for i in items})

    @app.get("/events")
    def events() -> Response:
        def stream() -> Iterator[str]:
            yield "retry: 2000\n\n"
            seen, ends = -1, time.monotonic() + EVENT_LIFETIME
            while time.monotonic() < ends:
                now = store.wait_for_change(seen, EVENT_KEEPALIVE)
                if now == seen:
                    yield ": still here\n\n"
                    continue
                seen = now
                try:
                    jobs = store.jobs()
                except sqlite3.ProgrammingError:  # the app is stopping: its database is closed
                    return
                yield f"data: {json.dumps([j.to_data() for j in jobs])}\n\n"
        return Response(stream(), mimetype="text/event-stream", headers={"Cache-Control": "no-store",
                                                                          "X-Accel-Buffering": "no"})

    @app.get("/api/jobs")
    def api_jobs() -> Response:
        """Every job, as JSON (for scripts: the same as the event stream's)."""
        return Response(json.dumps([j.to_data() for j in store.jobs()]), mimetype="application/json")

    # ------------------------------------------------------------ adding

    @app.get("/add")
    def add() -> str:
        return render_template("add.html", title="Add an article", page="add", voices=voices, speeds=SPEEDS,
                               errors={}, form={}, types=ARTICLE_TYPES, accept=",".join(ARTICLE_SUFFIXES))

    @app.post("/add")
    def add_post() -> Any:
        errors: dict[str, str] = {}
        form = request.form
        url, text, digest = form.get("url", "").strip(), form.get("text", ""), form.get("digest", "").strip()
        files = [f for f in request.files.getlist("files") if f and f.filename]
        if url and not is_url(url):
            errors["url"] = "A web address starts with https:// (or http://)."
        elif len(url) > MAX_URL:
            errors["url"] = f"That web address is over {MAX_URL} characters; give the article's own address."
        if len(digest) > MAX_TITLE:
            errors["digest"] = f"The title is over {MAX_TITLE} characters; give a shorter one."
        for field in ("voice", "question_voice"):
            if form.get(field, "") not in offered:
                errors[field] = "Choose a voice from the list."
        for f in files:
            if Path(f.filename or "").suffix.lower() not in ARTICLE_SUFFIXES:
                errors["files"] = f"“{f.filename}” is not a kind of file this app reads; give {ARTICLE_TYPES}."
        if not (url or files or text.strip()):
            errors["url"] = "Give a web address, a file or some text."
        try:
            speed = float(form.get("speed", "1"))
            choices = Choices(voice=form.get("voice", ""), question_voice=form.get("question_voice", ""),
                              speed=speed, digest=digest)
        except (ValueError, FieldError):
            errors.setdefault("speed", "Choose a speed from the list.")
            choices = Choices()
        theme = request.files.get("theme")
        if theme and theme.filename and Path(theme.filename).suffix.lower() not in THEME_SUFFIXES:
            errors["theme"] = f"The theme music is a sound file: {', '.join(THEME_SUFFIXES)}."
        if errors:
            return render_template("add.html", title="Add an article: please check", page="add", voices=voices,
                                   speeds=SPEEDS, errors=errors, form=form, types=ARTICLE_TYPES,
                                   accept=",".join(ARTICLE_SUFFIXES)), 400
        stamp = f"{time.time_ns():x}"
        if theme and theme.filename:
            name = f"{stamp}-{_stored_name(theme.filename, THEME_SUFFIXES, 'theme.mp3')}"
            (config.state / "themes").mkdir(parents=True, exist_ok=True)
            theme.save(config.state / "themes" / name)
            choices = replace(choices, theme=name)
        sources: list[tuple[str, str]] = []  # (source, title shown)
        if url:
            sources.append((url, url))
        for n, f in enumerate(files):
            where = inputs / f"{stamp}-{n}"
            where.mkdir(parents=True, exist_ok=True)
            path = where / _stored_name(f.filename or "", tuple(ARTICLE_SUFFIXES), "article.txt")
            f.save(path)
            sources.append((str(path), f.filename or path.name))
        if text.strip():
            where = inputs / f"{stamp}-text"
            where.mkdir(parents=True, exist_ok=True)
            path = where / "article.txt"
            path.write_text(text.replace("\r\n", "\n"), encoding="utf-8")
            first = next((line.strip() for line in text.splitlines() if line.strip()), "Pasted text")
            sources.append((str(path), first[:80]))
        sources = [(source, shown[:MAX_TITLE]) for source, shown in sources]
        if digest and len(sources) > 1:
            store.add("build", digest, [s for s, _ in sources], choices.to_data())
            flash(f"“{digest}” ({len(sources)} articles) is being made. Its progress is below.")
        else:
            single = replace(choices, digest="")
            for source, shown in sources:
                store.add("build", shown, [source], single.to_data())
            flash(f"{len(sources)} articles are being made; their progress is below." if len(sources) > 1 else
                  f"“{sources[0][1]}” is being made. Its progress is below.")
        worker.wake()
        return redirect(url_for("library") + "#queue", 303)

    # ------------------------------------------------------------ jobs

    @app.post("/jobs/<int:job_id>/cancel")
    def cancel(job_id: int) -> Any:
        job = store.get(job_id) or abort(404)
        worker.cancel(job_id)
        flash(f"Cancelling “{job.title}”.")
        return redirect(url_for("library") + "#queue", 303)

    @app.post("/jobs/<int:job_id>/retry")
    def retry(job_id: int) -> Any:
        job = store.retry(job_id) or abort(404)
        worker.wake()
        flash(f"“{job.title}” is queued again.")
        return redirect(url_for("library") + "#queue", 303)

    @app.post("/jobs/<int:job_id>/forget")
    def forget(job_id: int) -> Any:
        job = store.get(job_id) or abort(404)
        store.forget(job_id)
        if store.get(job_id) is None:  # what was given for it goes too (its episode stays in the library)
            for source in job.sources:
                folder_of = Path(source).parent
                if inputs in folder_of.parents:
                    shutil.rmtree(folder_of, ignore_errors=True)
        flash(f"Took “{job.title}” off the list.")
        return redirect(url_for("library") + "#queue", 303)

    # ------------------------------------------------------------ episodes

    def _item(guid: str) -> FeedItem:
        _, items, _ = _library(folder)
        return next((i for i in items if i.guid == guid), None) or abort(404)

    @app.get("/episodes/<guid>/delete")
    def delete(guid: str) -> str:
        return render_template("delete.html", title="Delete an episode", page="library", item=_item(guid))

    @app.post("/episodes/<guid>/delete")
    def delete_post(guid: str) -> Any:
        item = _item(guid)
        remove_episode(folder, item.guid)  # the same feed transaction as speak.py remove
        flash(f"Deleted “{item.title}”." + (" Publish again to take it off your host too." if config.publish_url
                                            else ""))
        return redirect(url_for("library") + "#episodes", 303)

    @app.post("/publish")
    def publish() -> Any:
        if not config.publish_url:
            abort(404)
        store.add("publish", "Publishing the folder", [], {})
        worker.wake()
        flash("Publishing: its progress is below.")
        return redirect(url_for("library") + "#queue", 303)

    @app.get("/subscribe")
    def subscribe() -> str:
        _, items, problem = _library(folder)
        feed = _absolute(url_for("files", name=FEED))
        if feed_token:  # the address that lets a listener listen, and do nothing else
            feed = f"{request.host_url}{feed_token}/files/{FEED}"
        return render_template("subscribe.html", title="Subscribe on your phone", page="subscribe", feed=feed,
                               items=items, problem=problem, network=not is_loopback(config.host),
                               qr=Markup(qr_svg(feed)) if items else "")

    @app.route("/files/<name>", methods=["GET", "HEAD"])
    def files(name: str) -> Any:
        try:
            published = published_files(folder)
        except ArticlecastError:
            abort(404)
        if name not in published:
            abort(404)
        if name == FEED:
            show, items = read_items(folder)
            assert show is not None
            feed = render_feed(replace(show, base_url=_absolute(url_for("files", name="x"))[:-1]), items)
            response = Response(feed, content_type=content_type(FEED))
            response.headers["Cache-Control"] = FEED_CACHE
            response.add_etag()
            return response.make_conditional(request)
        if name.endswith(".html"):  # a listening page: with the way back to the library
            page = published[name].read_text(encoding="utf-8")
            link = BACK_LINK.format(href=url_for("library"))
            page = page.replace("<header>", "<header>\n" + link, 1)  # first in the page's own column
            return Response(page, mimetype="text/html")
        return send_file(published[name], request.environ, mimetype=content_type(name), conditional=True,
                         etag=True, max_age=300)

    return app
