#!/usr/bin/env python3
"""False alarms of the listen-back check: good episodes that `speak.py check` must pass.

Articles of different kinds — the sample; a real news page, a list-heavy how-to and a documentation FAQ that
nobody here wrote (bench/corpus/, tests/pages/real/); the numbers article (script/numbers.md); and a long
manual chapter — each built several times from an empty speech cache with the default voices (hibari, and
piper for the questions), as a user builds them, and each build checked as a user checks it. The voices are not
deterministic, so every build is a new draw. Prints the table (article x build -> result, episode rate, worst
chapter) and how many passed.

    python bench/false_alarms.py              # the sample 10 times, the others 3 times (about 25 minutes)
    python bench/false_alarms.py --runs 1     # each once
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "pages" / "real"
sys.path.insert(0, str(ROOT / "bench"))

from pages import corpus_page  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3, help="builds of each article (the sample: at least 10 unless 1)")
    p.add_argument("--only", metavar="WORD", help="only the articles whose name holds WORD (e.g. how-to)")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="articlecast-false-alarms-"))
    speak = [sys.executable, str(ROOT / "speak.py")]
    articles = [
        ("sample", ROOT / "script" / "sample.yaml", max(args.runs, 10) if args.runs > 1 else 1),
        ("news (CNN)", corpus_page("cnn.com/2019/11/18/politics/donald-trump-health", work), args.runs),
        ("how-to (Business Insider)", corpus_page("businessinsider.com/how-to-retire-early", work), args.runs),
        ("numbers", ROOT / "script" / "numbers.md", args.runs),
        ("FAQ (Python docs)", REAL / "python-faq-general.html", args.runs),
        ("long (Debian FAQ chapter)", REAL / "debian-faq-pkg-basics.html", args.runs),
    ]
    articles = [a for a in articles if not args.only or args.only in a[0]]
    models = None
    rows, failed, started = [], 0, time.perf_counter()
    print("| article | build | result | missed | worst chapter | its rate | minutes |\n|---|---:|---|---:|---|---:|---:|")
    try:
        for name, source, runs in articles:
            for n in range(1, runs + 1):
                cache = work / f"cache-{len(rows)}"
                if models is not None:  # the recognizers' models, not the speech: every build speaks afresh
                    shutil.copytree(models, cache / "models")
                env = {**os.environ, "ARTICLECAST_CACHE": str(cache)}
                out = work / f"out-{len(rows)}"
                build = subprocess.run([*speak, "build", str(source), "-q", "-o", str(out)], env=env, cwd=work,
                                       capture_output=True, text=True)
                if build.returncode != 0:
                    raise SystemExit(f"{name}: the build failed: {build.stderr.strip()}")
                (mp3,) = out.glob("*.mp3")
                check = subprocess.run([*speak, "check", str(mp3), "-q"], env=env, cwd=work, capture_output=True,
                                       text=True)
                if check.returncode not in (0, 1):
                    raise SystemExit(f"{name}: the check failed: {check.stderr.strip()}")
                models = models or cache / "models"
                (report,) = out.glob("*.check.json")
                data = json.loads(report.read_text())
                worst = max(data["chapters"], key=lambda c: c["missed_rate"])
                minutes = max(c["start_ms"] for c in data["chapters"]) / 60000
                failed += not data["passed"]
                rows.append(data)
                print(f"| {name} | {n} | {'passed' if data['passed'] else 'FAILED'} | {data['missed_rate']:.1%} | "
                      f"{worst['title'][:50]} | {worst['missed_rate']:.1%} | {minutes:.0f} |", flush=True)
        print(f"\n{len(rows) - failed} of {len(rows)} good episodes passed the check "
              f"({(time.perf_counter() - started) / 60:.0f} minutes)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
