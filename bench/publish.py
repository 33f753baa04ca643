#!/usr/bin/env python3
"""Publishing the sample, twice, to an S3-compatible server on loopback (moto's, started here) and to a folder:
how many files and bytes each publish uploads and how long it takes (wall and CPU time of this process), the
second publish of the unchanged folder beside the first; then once more after a rebuild of the same episode with
a new description (only the changed files go).

    python bench/publish.py        # a few seconds (the sample is built with the silent voice: same files, same sizes)
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articlecast.publish import publish_to  # noqa: E402


def build(work: Path, source: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "speak.py"), "build", str(source), "--engine", "silent", "-q", "-o",
                    str(work / "out"), "--base-url", "https://podcast.example/show/"], check=True,
                   capture_output=True, env={**os.environ, "ARTICLECAST_CACHE": str(work / "cache")})


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the S3 server's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update({"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
    boto3.client("s3").create_bucket(Bucket="bench")
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            source = work / "sample.txt"
            source.write_text((ROOT / "script" / "sample.txt").read_text())
            build(work, source)
            for target in ("s3://bench/show/", (work / "site").as_uri() + "/"):
                for label in ("first publish", "second publish (unchanged)"):
                    wall, cpu = time.perf_counter(), time.process_time()
                    done = publish_to(work / "out", target)
                    rows.append((target.split(":")[0], label, len(done.uploaded), done.unchanged, done.bytes,
                                 time.perf_counter() - wall, time.process_time() - cpu))
            text = source.read_text().splitlines()
            text[2] = text[2] + " (Updated.)"  # a changed paragraph: a new episode file, same guid
            source.write_text("\n".join(text) + "\n")
            build(work, source)
            wall, cpu = time.perf_counter(), time.process_time()
            done = publish_to(work / "out", "s3://bench/show/")
            rows.append(("s3", "after an edit and a rebuild", len(done.uploaded), done.unchanged, done.bytes,
                         time.perf_counter() - wall, time.process_time() - cpu))
    finally:
        server.stop()
    print("(CPU: this process, the S3 server's thread included)\n")
    print("| target | publish | files uploaded | unchanged | bytes uploaded | wall | CPU |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for target, label, n, same, size, wall, cpu in rows:
        print(f"| {target} | {label} | {n} | {same} | {size:,} | {wall:.2f} s | {cpu:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
