"""Listening back: an offline recognizer hears the episode (or each sentence, during a build) and what it heard
is compared with what was meant, sentence by sentence, chapter by chapter."""

from __future__ import annotations

from .listen import check_episode, make_report
from .recognizer import check_available
from .report import ChapterCheck, CheckReport, Hearing, Retake, SentenceCheck
from .retakes import Listened, listen_to_plan, plan_report

__all__ = ["ChapterCheck", "check_available", "check_episode", "CheckReport", "Hearing", "listen_to_plan", "Listened",
           "make_report", "plan_report", "Retake", "SentenceCheck"]
