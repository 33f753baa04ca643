"""The one way the tests and bench/app.py talk to the listening app: over HTTP on 127.0.0.1, as a browser's
forms would (multipart uploads with the page's CSRF token), with the app's JSON list of jobs to wait on."""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    """An HTTP answer."""

    status: int
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A form's body as a browser sends it with enctype=multipart/form-data; (body, content type)."""
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                   "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


class AppClient:
    """A client of the app at ``base`` (its root, ending in "/")."""

    def __init__(self, base: str) -> None:
        assert base.startswith(("http://127.0.0.1:", "http://[::1]:")), base  # loopback only
        self.base = base
        self._csrf = ""
        self.cookies = http.cookiejar.CookieJar()
        """The app's session cookie (its messages after a form), as a browser keeps it."""

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
                method: str | None = None, follow: bool = True) -> Answer:
        url = path if path.startswith("http") else self.base + path.lstrip("/")
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(self.cookies)]
        opener = urllib.request.build_opener(*handlers, *([] if follow else [_NoRedirect()]))
        try:
            with opener.open(req, timeout=30) as r:
                return Answer(r.status, r.url, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, url, dict(e.headers), e.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request(path, headers=headers)

    @property
    def csrf(self) -> str:
        if not self._csrf:
            page = self.get("add")
            assert page.status == 200, page.text
            self._csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return self._csrf

    def post(self, path: str, fields: dict[str, str] | None = None, files: list[tuple[str, str, bytes]] | None = None,
             csrf: bool = True, headers: dict[str, str] | None = None, follow: bool = True) -> Answer:
        fields = {**({"csrf": self.csrf} if csrf else {}), **(fields or {})}
        body, kind = multipart(fields, files or [])
        return self.request(path, body, {"Content-Type": kind, **(headers or {})}, "POST", follow)

    def add(self, text: str = "", url: str = "", files: list[tuple[str, bytes]] | None = None, voice: str = "",
            digest: str = "", speed: str = "1.0") -> Answer:
        """Add articles as the form does; the answer must be the library (after the form's redirect)."""
        answer = self.post("add", {"url": url, "text": text, "voice": voice, "speed": speed, "digest": digest},
                           [("files", name, data) for name, data in (files or [])])
        return answer

    def jobs(self) -> list[dict[str, Any]]:
        answer = self.get("api/jobs")
        assert answer.status == 200, answer.text
        return list(json.loads(answer.body))

    def wait(self, count: int | None = None, timeout: float = 300) -> list[dict[str, Any]]:
        """Wait until every job (at least ``count`` of them) is over; the jobs."""
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            jobs = self.jobs()
            if (count is None or len(jobs) >= count) and all(j["state"] in ("done", "failed", "cancelled")
                                                             for j in jobs):
                return jobs
            time.sleep(0.2)
        raise AssertionError(f"jobs not over within {timeout} s: {self.jobs()}")
