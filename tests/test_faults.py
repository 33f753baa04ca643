"""Nothing lost: distinct episodes never overwrite each other; concurrent, killed and failing builds keep every
file and feed item. Real processes, real signals, a real full disk (a tmpfs, when root)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from helpers import one_line_error, speak, start

from articlecast.audio.encoded import encoded_folder
from articlecast.audio.tags import read_mp3
from articlecast.cache import cache_limit, trim, usage
from articlecast.cli import run as main
from articlecast.inputs import read_article
from articlecast.publish.names import legacy_guid
from articlecast.script import content_guid, make_script
from articlecast.util.files import STALE_SECONDS, remove_stale_temporaries, slugify
from articlecast.voice.segments import SegmentCache


def article(title: str, words: str = "A short body of text for the test.") -> str:
    return f"# {title}\n\n{words}\n\n## Part\n\nAnother paragraph here.\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part")) if folder.exists() else []


def feed_state(folder: Path) -> tuple[list[str], dict[str, int]]:
    """The feed's guids, and each enclosure's length by file name (checked against the file's size)."""
    items = json.loads((folder / "feed.json").read_text())["items"]
    feed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert len(feed.entries) == len(items)
    lengths = {}
    for e in feed.entries:
        enc = e.enclosures[0]
        name = enc.href.rsplit("/", 1)[-1]
        assert int(enc.length) == (folder / name).stat().st_size, name
        lengths[name] = int(enc.length)
    return [i["guid"] for i in items], lengths


# ---------------------------------------------------------------- names and identity


def test_slugs_transliterate_and_never_fall_back_to_one_word() -> None:
    assert slugify("Привет, мир") == "privet-mir"
    assert slugify("東京の夏") == "dong-jing-noxia"
    assert slugify("🎉🎉") == ""  # the publisher then names it from the guid: never the bare word "episode"


@pytest.mark.slow  # several whole builds side by side
def test_distinct_articles_never_overwrite_each_other(tmp_path: Path) -> None:
    titles = ["Привет, мир", "東京の夏", "C++ tips", "C tips", "🎉", "🎈",
              "A" * 85 + " one", "A" * 85 + " two"]
    for n, title in enumerate(titles):
        (tmp_path / f"a{n}.md").write_text(article(title), encoding="utf-8")
        proc = speak(["build", f"a{n}.md", "--engine", "silent", "-q"], tmp_path)
        assert proc.returncode == 0, proc.stderr
    out = tmp_path / "audio_out"
    mp3s = sorted(p.name for p in out.glob("*.mp3"))
    assert len(mp3s) == len(titles)
    assert {"privet-mir.mp3", "dong-jing-noxia.mp3", "c-tips.mp3", "c-tips-2.mp3"} <= set(mp3s)
    assert "episode.mp3" not in mp3s and all(n.isascii() for n in mp3s)
    guids, lengths = feed_state(out)
    assert len(set(guids)) == len(titles) and sorted(lengths) == mp3s
    assert {read_mp3(out / m).tags["title"] for m in mp3s} == set(titles)  # each file holds its own article

    # a rebuild of the same article replaces it in place
    before = (out / "c-tips-2.mp3").stat().st_mtime_ns
    assert speak(["build", "a3.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    assert sorted(p.name for p in out.glob("*.mp3")) == mp3s
    assert (out / "c-tips-2.mp3").stat().st_mtime_ns != before
    assert read_mp3(out / "c-tips-2.mp3").tags["title"] == "C tips"
    assert feed_state(out)[0] == guids

    # the same article for another show is another episode, with its own file
    assert speak(["build", "a3.md", "--engine", "silent", "-q", "--show", "Other Show"], tmp_path).returncode == 0
    guids2, lengths2 = feed_state(out)
    assert len(guids2) == len(titles) + 1 and "c-tips-3.mp3" in lengths2


def test_names_taken_by_other_files_are_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "audio_out"
    out.mkdir()
    (out / "my-notes.md").write_text("the publisher's own notes")
    (tmp_path / "a.md").write_text(article("My notes"))
    (tmp_path / "b.md").write_text(article("Cover"))
    for name in ("a.md", "b.md"):
        assert speak(["build", name, "--engine", "silent", "-q"], tmp_path).returncode == 0
    assert (out / "my-notes.md").read_text() == "the publisher's own notes"
    assert (out / "my-notes-2.mp3").exists()
    assert (out / "cover-2.mp3").exists() and (out / "cover.png").exists()  # the show's cover keeps its name


@pytest.mark.slow  # several whole builds side by side
def test_concurrent_builds_lose_no_feed_item(tmp_path: Path) -> None:
    """Four builds at once into one folder, several rounds: every episode is in the feed, nothing half-written."""
    titles = ["C tips", "C++ tips", "Garden notes", "Tide tables"]
    for n, title in enumerate(titles):
        (tmp_path / f"a{n}.md").write_text(article(title))
    for rnd in range(6):
        out = f"round{rnd}"
        procs = [start(["build", f"a{n}.md", "--engine", "silent", "-q", "-o", out], tmp_path)
                 for n in range(len(titles))]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
        folder = tmp_path / out
        guids, lengths = feed_state(folder)
        assert len(set(guids)) == 4, f"round {rnd}: {guids}"
        assert sorted(lengths) == sorted(p.name for p in folder.glob("*.mp3")) and len(lengths) == 4
        assert {"c-tips.mp3", "c-tips-2.mp3"} <= set(lengths)
        assert leftovers(folder) == []


# ---------------------------------------------------------------- signals


def session_processes(sid: int) -> list[int]:
    """Process ids of every live (not zombie) process in session ``sid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


LONG = "\n\n".join(f"Paragraph {n} says a few more words about the weather and the sea." for n in range(400))


STOPS = [(signal.SIGKILL, "process", 0.0), (signal.SIGTERM, "process", 0.0), (signal.SIGINT, "process", 0.0),
         (signal.SIGINT, "group", 0.0), (signal.SIGTERM, "process", 0.5), (signal.SIGTERM, "group", 0.5),
         (signal.SIGINT, "group", 2.0)]
"""(signal, sent to the build or to its whole process group as a terminal's Ctrl-C does, seconds after the build says
it is starting to speak): at the very instant its speech workers start and the voice loads, and while it speaks."""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the build's processes")
@pytest.mark.parametrize(("sig", "target", "after"), STOPS, ids=[f"{s.name}-{t}-{a:g}s" for s, t, a in STOPS])
def test_a_stopped_build_leaves_no_worker_and_no_temporary(tmp_path: Path, sig: signal.Signals, target: str,
                                                           after: float) -> None:
    (tmp_path / "long.md").write_text(f"# Long\n\n{LONG}\n")
    proc = start(["build", "long.md", "--engine", "hibari", "-q"], tmp_path, env={"ARTICLECAST_WORKERS": "2"},
                 start_new_session=True)
    try:
        first = proc.stderr.readline()  # type: ignore[union-attr]
        assert first.startswith("Building Long"), first
        time.sleep(after)
        sent = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        answered = time.monotonic() - sent
        assert wait_for(lambda: not session_processes(proc.pid), 5), session_processes(proc.pid)
    finally:
        for pid in session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 128 + sig, err
        assert answered < 5, answered
        # one line after the build's own status line, nothing else: no traceback, of the build or of anything it ran
        name = signal.Signals(sig).name
        assert err.strip().splitlines() == [f"speak: stopped by {name}; nothing was published, unfinished files "
                                            "were removed"], err
    assert leftovers(tmp_path / "audio_out") == []


@pytest.mark.slow
def test_sigterm_during_encoding_leaves_nothing_behind(tmp_path: Path) -> None:
    words = " ".join(["word"] * 250)
    body = "\n\n".join(f"{words} number {n}." for n in range(24))  # 100 minutes of silence to encode
    (tmp_path / "big.md").write_text(f"# Big\n\n{body}\n")
    proc = start(["build", "big.md", "--engine", "silent", "-q"], tmp_path, start_new_session=True)
    out = tmp_path / "audio_out"
    assert wait_for(lambda: any(n.endswith("-episode.mp3.part") for n in leftovers(out)), 300), proc.stderr
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[1:] == ["speak: stopped by SIGTERM; nothing was published, unfinished files were "
                                            "removed"]
    assert wait_for(lambda: not session_processes(proc.pid), 5), session_processes(proc.pid)  # the encoder too
    assert leftovers(out) == [] and not list(out.glob("*.mp3")) and not (out / "feed.xml").exists()


def test_stale_temporaries_of_dead_builds_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    mine = tmp_path / f".ac-{os.getpid()}-abc123-x.mp3.part"
    gone = tmp_path / f".ac-{pid}-abc123-y.mp3.part"
    old = tmp_path / f".ac-{os.getpid()}-def456-z.html.part"
    other = tmp_path / ".hidden.part"  # not ours: never touched
    for p in (mine, gone, old, other):
        p.write_bytes(b"x")
    os.utime(old, (time.time() - STALE_SECONDS - 5,) * 2)
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted([gone, old])
    assert mine.exists() and other.exists()


# ---------------------------------------------------------------- output errors


def test_output_problems_are_one_line_before_any_speech(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article("Title"))
    (tmp_path / "file.txt").write_text("x")
    cache = tmp_path / "cache"
    cases = [
        (["-o", "file.txt"], ["file.txt", "is a file, not a folder"]),
        (["-o", "file.txt/sub"], ["file.txt/sub", "choose another folder with -o"]),
        (["-o", "/proc/articlecast-test"], ["/proc/articlecast-test", "cannot make the folder"]),
    ]
    for args, needles in cases:
        one_line_error(speak(["build", "a.md", "--engine", "silent", *args], tmp_path), *needles)
    out = tmp_path / "audio_out"
    out.mkdir()
    (out / "feed.json").write_text("[1, 2")
    line = one_line_error(speak(["build", "a.md", "--engine", "silent"], tmp_path), "feed.json", "damaged")
    assert "delete" not in line
    assert not (cache / "segments").exists()  # nothing was spoken
    assert sorted(p.name for p in out.iterdir()) == ["feed.json"]


def test_bad_voice_and_encoding_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article("Title"))
    one_line_error(speak(["build", "a.md", "--voice", ":"], tmp_path), "naming an engine first")
    (tmp_path / "u16.md").write_bytes(article("Sixteen").encode("utf-16"))
    proc = speak(["build", "u16.md", "--engine", "silent", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "audio_out" / "sixteen.mp3").exists()
    (tmp_path / "cp.txt").write_bytes("Título\n\nEl niño comió piña en la montaña, señor.\n".encode("cp1252"))
    one_line_error(speak(["build", "cp.txt", "--engine", "silent"], tmp_path), "is not UTF-8", "save it as UTF-8")


def mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs (a full disk) needs root")
def test_full_disk_keeps_the_previous_episode_and_feed(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "2m"):
        pytest.skip("could not mount a tmpfs here (not allowed in this container)")
    try:
        (tmp_path / "a.md").write_text(article("First episode"))
        (tmp_path / "b.md").write_text(article("Second episode", " ".join(["Many words here."] * 400)))
        assert speak(["build", "a.md", "--engine", "silent", "-q", "-o", str(disk)], tmp_path).returncode == 0
        before = {p.name: p.read_bytes() for p in disk.iterdir()}
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * max(0, free - 150_000))  # room for a little, not for an episode
        for name in ("b.md", "a.md"):  # a new episode, and a rebuild of the first one at another speed
            extra = ["--speed", "0.6"] if name == "a.md" else []
            one_line_error(speak(["build", name, "--engine", "silent", "-q", "-o", str(disk), *extra], tmp_path),
                           str(disk), "No space left", "free some space", status=1)
            after = {p.name: p.read_bytes() for p in disk.iterdir() if p.name != "filler"}
            assert after == before  # byte for byte, no temporary left
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# ---------------------------------------------------------------- the cache


def build_in_process(tmp_path: Path, name: str = "a.md") -> int:
    return main(["build", str(tmp_path / name), "--engine", "silent", "-q", "-o", str(tmp_path / "out")])


@pytest.mark.parametrize("damage", ["segment-is-a-folder", "encoded-json-list", "encoded-json-shape",
                                    "encoded-mp3-is-a-folder", "segments-is-a-file"])
def test_damaged_cache_of_any_shape_is_repaired(tmp_path: Path, damage: str, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "a.md").write_text(article("Cached"))
    assert build_in_process(tmp_path) == 0
    cache = SegmentCache()
    segs = sorted(cache.root.rglob("*.seg"))
    encoded = encoded_folder(cache.base)
    records = sorted(encoded.glob("*.json"))
    assert segs and records
    if damage.startswith("segment"):  # so that the build reads the segments, not the whole encoded episode
        shutil.rmtree(encoded)
    if damage == "segment-is-a-folder":
        segs[0].unlink()
        (segs[0] / "x").mkdir(parents=True)
    elif damage == "encoded-json-list":
        records[0].write_text("[]")
    elif damage == "encoded-json-shape":
        records[0].write_text('{"sha256": 1, "lufs": "loud"}')
    elif damage == "encoded-mp3-is-a-folder":
        mp3 = records[0].with_suffix(".mp3")
        mp3.unlink()
        mp3.mkdir()
    else:
        shutil.rmtree(cache.root)
        cache.root.write_text("not a folder")
    for _ in range(2):  # the first build repairs; the second finds nothing to warn about
        capsys.readouterr()
        assert build_in_process(tmp_path) == 0
    assert "WARNING" not in capsys.readouterr().err
    assert cache.root.is_dir() and all(p.is_file() for p in cache.root.rglob("*.seg"))
    assert all(p.is_file() for p in encoded.iterdir())
    assert json.loads(sorted(encoded.glob("*.json"))[0].read_text())["sha256"]


def test_cache_limit_evicts_least_recently_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "cache"
    for n in range(5):
        p = base / "segments" / "ab" / f"{n}.seg"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * 1000)
        os.utime(p, (1000 + n, 1000 + n))
    assert usage(base).bytes == 5000
    left = trim(base, 2500)
    assert left.files == 2 and sorted(p.name for p in (base / "segments" / "ab").iterdir()) == ["3.seg", "4.seg"]
    monkeypatch.setenv("ARTICLECAST_CACHE_MAX", "500M")
    assert cache_limit() == 500_000_000
    monkeypatch.setenv("ARTICLECAST_CACHE_MAX", "lots")
    with pytest.raises(ValueError, match="ARTICLECAST_CACHE_MAX"):
        cache_limit()


def test_cache_command_shows_and_clears(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article("Cached"))
    assert speak(["build", "a.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    shown = speak(["cache"], tmp_path)
    assert shown.returncode == 0 and "entries" in shown.stdout and "limit 2.0 GB" in shown.stdout
    assert int(shown.stdout.split(": ", 1)[1].split()[0]) > 0
    cleared = speak(["cache", "--clear"], tmp_path)
    assert cleared.returncode == 0 and "removed" in cleared.stdout
    assert usage(Path(os.environ["ARTICLECAST_CACHE"])).files == 0


def test_an_edited_article_stays_the_same_episode_and_an_older_guid_is_kept(tmp_path: Path) -> None:
    """The same file and title are the same episode: one word changed replaces its audio under the same guid
    and names. An episode whose guid an earlier version made from its words keeps that guid."""
    (tmp_path / "a.md").write_text(article("Rain gardens", "Rain gardens soak up storm water."))
    assert speak(["build", "a.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    out = tmp_path / "audio_out"
    guids, _ = feed_state(out)
    before = (out / "rain-gardens.mp3").read_bytes()
    (tmp_path / "a.md").write_text(article("Rain gardens", "Rain gardens soak up the storm water."))
    assert speak(["build", "a.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    assert feed_state(out)[0] == guids and sorted(p.name for p in out.glob("*.mp3")) == ["rain-gardens.mp3"]
    assert (out / "rain-gardens.mp3").read_bytes() != before
    assert "the storm water" in (out / "rain-gardens.txt").read_text()
    # a feed written before 0.3: the episode's guid was a hash of its words
    script = make_script(read_article(tmp_path / "a.md"))
    record = json.loads((out / "feed.json").read_text())
    record["items"][0]["guid"] = content_guid(script)
    (out / "feed.json").write_text(json.dumps(record))
    assert speak(["build", "a.md", "--engine", "silent", "-q", "--speed", "1.2"], tmp_path).returncode == 0
    assert feed_state(out)[0] == [content_guid(script)]
    # another file of the same title is another episode
    (tmp_path / "b.md").write_text(article("Rain gardens", "Another text entirely."))
    assert speak(["build", "b.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    assert len(feed_state(out)[0]) == 2 and (out / "rain-gardens-2.mp3").exists()


def test_an_episode_built_before_guids_keeps_its_feed_item(tmp_path: Path) -> None:
    """Feeds written by earlier versions named episodes by show and title: a rebuild keeps that guid and file."""
    (tmp_path / "a.md").write_text(article("Old timer"))
    assert speak(["build", "a.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    out = tmp_path / "audio_out"
    record = json.loads((out / "feed.json").read_text())
    legacy = legacy_guid("Articlecast", "Old timer")
    record["items"][0]["guid"] = legacy
    (out / "feed.json").write_text(json.dumps(record))
    assert speak(["build", "a.md", "--engine", "silent", "-q", "--speed", "1.2"], tmp_path).returncode == 0
    guids, lengths = feed_state(out)
    assert guids == [legacy] and list(lengths) == ["old-timer.mp3"]

