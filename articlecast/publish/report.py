"""The listen-back check's report as text: one summary line, and the ``.check.json`` beside the episode."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..check.report import CheckReport
from ..util.files import write_atomic


def summary(report: CheckReport) -> str:
    """One line: the episode's figure, its verdict and the chapters over their threshold."""
    verdict = "passed" if report.passed else "FAILED"
    line = (f"listen-back check {verdict}: {report.rate:.1%} of {report.words} words missed "
            f"(max {report.max_episode:.0%}, each chapter max {report.max_chapter:.0%}; heard by {report.recognizer})")
    if report.failing:
        line += "; over: " + ", ".join(f"{c.title!r} {c.rate:.0%}" for c in report.failing)
    return line


def report_data(report: CheckReport) -> dict[str, object]:
    """The report as plain data (the .check.json file)."""
    return {
        "passed": report.passed, "missed_rate": round(report.rate, 4), "words": report.words,
        "missed": report.missed, "max": report.max_episode, "max_chapter": report.max_chapter,
        "recognizer": report.recognizer,
        "chapters": [{**asdict(c), "missed_rate": round(c.rate, 4), "passed": c.rate <= report.max_chapter}
                     for c in report.chapters],
        "sentences": [asdict(s) for s in report.sentences],
    }


def report_json(report: CheckReport) -> str:
    """The .check.json text."""
    return json.dumps(report_data(report), ensure_ascii=False, indent=1) + "\n"


def write_report(path: Path, report: CheckReport) -> None:
    """Write the .check.json (atomically)."""
    write_atomic(path, report_json(report).encode("utf-8"))
