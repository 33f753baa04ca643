"""Real speech from each engine: hibari offline, gtts against a local server playing Google's part."""

from __future__ import annotations

import base64
import datetime
import json
import shutil
import ssl
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from helpers import http_server

from articlecast.errors import EngineUnavailableError, UnknownVoiceError
from articlecast.util.ffmpeg import ffmpeg_exe
from articlecast.voice.engines import Engine, engine_classes, get_engine


def test_registry() -> None:
    assert {"hibari", "piper", "espeak", "gtts", "silent"} <= set(engine_classes())
    assert get_engine("hibari") is get_engine("hibari")
    assert isinstance(get_engine("hibari"), Engine)
    assert get_engine("hibari").offline and not get_engine("gtts").offline
    with pytest.raises(UnknownVoiceError, match="unknown engine 'festival'; choose one of: .*hibari"):
        get_engine("festival")


def test_hibari_speaks(no_network: list[object]) -> None:
    engine = get_engine("hibari")
    assert [v.name for v in engine.voices()] == ["heart"]  # only voices on disk; never a download
    audio = engine.synthesize("The quick brown fox jumps over the lazy dog.", "")
    assert audio.sample_rate == 24000
    assert 1.5 < audio.seconds < 5.0
    rms = float(np.sqrt(np.mean(audio.samples**2)))
    assert rms > 0.01 and np.abs(audio.samples).max() <= 1.0
    again = engine.synthesize("The quick brown fox jumps over the lazy dog.", "heart")
    assert np.array_equal(audio.samples, again.samples)  # same text, same audio: the cache relies on it
    assert no_network == []


def test_hibari_speed_changes_length() -> None:
    engine = get_engine("hibari")
    slow = engine.synthesize("One sentence, read at two speeds.", "heart", 1.0)
    fast = engine.synthesize("One sentence, read at two speeds.", "heart", 1.5)
    assert 0.55 < fast.seconds / slow.seconds < 0.8


def test_hibari_unknown_voice() -> None:
    with pytest.raises(UnknownVoiceError, match="has no voice 'fenrir'; choose one of: heart"):
        get_engine("hibari").synthesize("Hi.", "fenrir")


# ---------------------------------------------------------------- gtts against a local server


@pytest.fixture(scope="module")
def tone_mp3() -> bytes:
    """A real MP3 (0.5 s of a 440 Hz tone), made by the bundled ffmpeg."""
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5:sample_rate=24000",
           "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def _self_signed(name: str) -> tuple[bytes, bytes]:
    """A certificate for ``name`` and its key (PEM), signed by itself."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


class FakeGoogle(ThreadingHTTPServer):
    """Plays the part of Google Translate, reached as gTTS reaches it through a proxy (HTTPS_PROXY, gTTS's public
    way): a proxy on 127.0.0.1 that answers the tunnel to translate.google.com itself, over TLS with a certificate
    of its own (gTTS does not verify certificates), as its batchexecute endpoint."""

    def __init__(self, mp3: bytes, status: int = 200) -> None:
        self.mp3, self.status, self.texts, self.tunnels = mp3, status, [], []
        super().__init__(("127.0.0.1", 0), _Proxy)
        cert, key = _self_signed("translate.google.com")
        folder = Path(tempfile.mkdtemp())
        (folder / "cert.pem").write_bytes(cert)
        (folder / "key.pem").write_bytes(key)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(folder / "cert.pem", folder / "key.pem")
        shutil.rmtree(folder)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Proxy(BaseHTTPRequestHandler):
    server: FakeGoogle

    def do_CONNECT(self) -> None:  # noqa: N802 - http.server's name
        self.server.tunnels.append(self.path)
        self.send_response(200, "Connection established")
        self.end_headers()
        tunnel = self.server.tls.wrap_socket(self.connection, server_side=True)
        _Handler(tunnel, self.client_address, self.server)  # the requests inside the tunnel
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    server: FakeGoogle

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        rpc = json.loads(urllib.parse.parse_qs(body)["f.req"][0])
        text, lang = json.loads(rpc[0][0][1])[:2]
        self.server.texts.append((text, lang))
        if self.server.status != 200:
            self.send_response(self.server.status)
            self.end_headers()
            return
        b64 = base64.b64encode(self.server.mp3).decode()
        payload = ')]}\'\n\n[["wrb.fr","jQ1olc","[\\"' + b64 + '\\"]",null,null,null,"generic"]]\n'
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def serve(server: FakeGoogle) -> Iterator[FakeGoogle]:
    with http_server(server):
        yield server


@pytest.fixture
def google(tone_mp3: bytes, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    server = FakeGoogle(tone_mp3)
    monkeypatch.setenv("HTTPS_PROXY", server.proxy)
    yield from serve(server)


def test_gtts_speaks_through_the_endpoint(google: FakeGoogle) -> None:
    audio = get_engine("gtts").synthesize("Hello from the test.", "en")
    assert google.texts == [("Hello from the test", "en")]  # gTTS drops the final full stop
    assert google.tunnels == ["translate.google.com:443"]  # Google's own address, through the proxy
    assert audio.sample_rate == 24000
    assert 0.4 < audio.seconds < 0.7  # the decoded tone
    spectrum = np.abs(np.fft.rfft(audio.samples))
    assert abs(np.argmax(spectrum) * audio.sample_rate / len(audio.samples) - 440) < 5


def test_gtts_long_text_is_sent_in_parts(google: FakeGoogle) -> None:
    text = ("This sentence is long enough to be split by the library into parts, because the service "
            "takes at most about one hundred characters at once. Here is a second sentence to be sure.")
    audio = get_engine("gtts").synthesize(text, "en")
    assert len(google.texts) >= 2
    assert " ".join(t for t, _ in google.texts).replace("  ", " ").startswith("This sentence is long")
    assert audio.seconds > 0.4 * len(google.texts) * 0.9


def test_gtts_server_error_is_one_clear_message(tone_mp3: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeGoogle(tone_mp3, status=500)
    monkeypatch.setenv("HTTPS_PROXY", server.proxy)
    for _ in serve(server):
        with pytest.raises(EngineUnavailableError, match="gtts is an online voice.*--voice hibari"):
            get_engine("gtts").synthesize("Hello.", "en")


def test_gtts_offline_is_one_clear_message(no_network: list[object]) -> None:
    with pytest.raises(EngineUnavailableError) as info:
        get_engine("gtts").synthesize("Hello.", "en")
    message = str(info.value)
    assert "translate.google.com" in message and "connect to the internet" in message
    assert "\n" not in message


def test_gtts_unknown_language() -> None:
    with pytest.raises(UnknownVoiceError, match="has no voice 'xx-nope'"):
        get_engine("gtts").synthesize("Hello.", "xx-nope")
