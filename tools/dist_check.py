#!/usr/bin/env python3
"""The package as someone outside this repository gets it: build the sdist and the wheel (`python -m build`), check
that the wheel carries the listening page's style and script, the catalogs of our words and Kokoro's voices,
install the wheel with pip into a brand-new venv — without the lock, so pyproject.toml's ranges alone must
resolve — and, in an empty folder, run `speak --help`, `speak voices` and `speak build article.md` on an article
written there; the episode must come out with its chapters and a listening page that has its style inline; and a
Spanish article's chapters must be named in Spanish. With --resolve-test, also ask pip (without installing)
whether the wheel's test extra resolves without the lock.

    python tools/dist_check.py                 # make dist-check runs this (and .ci/run)
    python tools/dist_check.py --resolve-test  # the test extra too (a few minutes: pip fetches its metadata)

One line per step on stdout; the first failure is one line on stderr and exit 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ("articlecast/publish/assets/listen.css", "articlecast/publish/assets/listen.js",
          "articlecast/locale/es/LC_MESSAGES/articlecast.mo", "articlecast/voice/engines/kokoro_data/vocab.json",
          "articlecast/voice/engines/kokoro_data/voices/ef_dora.bin")
SPANISH = """# Por qué bailan las abejas

Las abejas se cuentan unas a otras dónde están las flores. Una pecoreadora que ha encontrado un buen lugar vuelve a
la colmena y baila sobre el panal, y las demás la siguen para aprender el camino hasta las flores.

## La danza del meneo

El ángulo de la danza indica la dirección de las flores respecto al sol, y su duración indica la distancia que las
separa de la colmena. Las otras abejas siguen a la bailarina y luego salen a buscar el lugar por sí mismas.
"""
ARTICLE = """# Why Bees Dance

Honey bees tell each other where the flowers are. A forager that has found a good patch comes back to the hive
and dances on the comb.

## The waggle dance

The angle of the dance gives the direction of the flowers against the sun, and its length gives the distance.
Other bees follow the dancer and then fly out to find the patch themselves.

## What it means for us

Beekeepers can read the dances too. A hive that dances for distant flowers is telling them that food is scarce
nearby.
"""


class Failed(Exception):
    pass


def run(args: list[str], cwd: Path, timeout: float = 900) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        raise Failed(f"{' '.join(str(a) for a in args[:4])} ... exited {proc.returncode}: {' | '.join(tail)}")
    return proc.stdout


def step(what: str, started: float) -> None:
    print(f"dist-check: {what} ({time.monotonic() - started:.0f} s)", flush=True)


def check(work: Path, resolve_test: bool) -> None:
    t = time.monotonic()
    os.environ["ARTICLECAST_CACHE"] = str(work / "cache")  # a new user's empty cache
    dist = work / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], ROOT)
    (wheel,) = dist.glob("articlecast-*.whl")
    (sdist,) = dist.glob("articlecast-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    absent = [a for a in ASSETS if a not in names]
    if absent:
        raise Failed(f"{wheel.name} lacks {', '.join(absent)}: add them to [tool.setuptools.package-data]")
    step(f"built {sdist.name} and {wheel.name} ({len(names)} files: the page's assets, the catalogs and Kokoro's "
         "voices inside)", t)

    t = time.monotonic()
    env = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python, speak = env / "bin" / "python", env / "bin" / "speak"
    run([str(python), "-m", "pip", "install", "-q", str(wheel)], work, timeout=1800)
    step("installed the wheel with pip into a new venv, without the lock", t)

    t = time.monotonic()
    folder = work / "empty"
    folder.mkdir()
    if "usage: speak" not in run([str(speak), "--help"], folder):
        raise Failed("speak --help printed no usage line")
    if "hibari" not in run([str(speak), "voices"], folder):
        raise Failed("speak voices does not list the default voice, hibari")
    (folder / "article.md").write_text(ARTICLE, encoding="utf-8")
    run([str(speak), "build", "article.md", "-q"], folder)
    (mp3,) = (folder / "audio_out").glob("*.mp3")
    chapters = run([str(speak), "chapters", str(mp3)], folder)
    for title in ("Intro", "The waggle dance", "What it means for us", "Outro"):
        if title not in chapters:
            raise Failed(f"{mp3.name} has no chapter {title!r}: {chapters}")
    page = mp3.with_suffix(".html").read_text(encoding="utf-8")
    css = (ROOT / ASSETS[0]).read_text(encoding="utf-8").strip().splitlines()[0]
    if css not in page:
        raise Failed(f"{mp3.with_suffix('.html').name} lacks the listening page's style")
    (folder / "abejas.md").write_text(SPANISH, encoding="utf-8")
    run([str(speak), "build", "abejas.md", "-q", "--voice", "silent", "-o", "es"], folder)
    (mp3,) = (folder / "es").glob("*.mp3")
    chapters = run([str(speak), "chapters", str(mp3)], folder)
    if "Introducción" not in chapters or "Cierre" not in chapters:
        raise Failed(f"{mp3.name}, a Spanish article, lacks the Spanish words of ours (the catalogs): {chapters}")
    step(f"speak --help, speak voices, speak build article.md and a Spanish one in an empty folder: {mp3.name}", t)

    if resolve_test:
        t = time.monotonic()
        # a current pip: the pip of Python 3.11.7's venv (23.2) backtracks through every s3fs release and gives up
        run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], work)
        run([str(python), "-m", "pip", "install", "--dry-run", "-q", f"{wheel}[test]"], work, timeout=1800)
        step("a current pip resolves the test extra without the lock", t)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="articlecast-dist-") as tmp:
        try:
            check(Path(tmp), "--resolve-test" in sys.argv[1:])
        except (Failed, ValueError, subprocess.TimeoutExpired) as e:
            print(f"dist-check failed: {e}", file=sys.stderr)
            return 1
    print("dist-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
