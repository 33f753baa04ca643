"""Speech normalization: what the voice is given for numbers, dates, abbreviations, units and addresses (pure)."""

from __future__ import annotations

import dataclasses

import pytest

from articlecast.audio.plan import plan_episode
from articlecast.script import compile_lexicon
from articlecast.script.model import Meta, Script, ScriptChapter, Segment
from articlecast.script.voices import default_voices
from articlecast.voice.spelling import compare_words, roman_value
from articlecast.voice.spelling import spell_out as normalize

CASES = [
    ("2-3 weeks", "two to three weeks"),
    ("In 1998, 80% of 1,200 patients", "In nineteen ninety eight, eighty percent of one thousand two hundred patients"),
    ("$3.5 million and $12.50 and £5", "three point five million dollars and twelve dollars fifty cents and five pounds"),
    ("Revenue hit $1.2bn in FY2024, up 3.5x.",
     "Revenue hit one point two billion dollars in FY twenty twenty four, up three point five times."),
    ("World War II and Chapter IV, I think Henry VIII was", "World War two and Chapter four, I think Henry the eighth was"),
    ("World War I ended", "World War one ended"),
    ("Dr. Smith lives on Main St. near St. Paul", "Doctor Smith lives on Main Street near Saint Paul"),
    ("No. 5, approx. 10 km at 9:30 a.m. on March 5, 2024",
     "number five, approximately ten kilometres at nine thirty a m on March fifth twenty twenty four"),
    ("the 1990s and the '80s and 23rd", "the nineteen nineties and the eighties and twenty third"),
    ("see https://www.example.com/path?a=1. Or mail jane.doe@example.org",
     "see example dot com. Or mail jane doe at example dot org"),
    ("2020-2024 and 1990-95", "twenty twenty to twenty twenty four and nineteen ninety to nineteen ninety five"),
    ("between 1990 and 1995", "between nineteen ninety and nineteen ninety five"),
    ("temperatures of 38.5°C", "temperatures of thirty eight point five degrees Celsius"),
    ("on 2024-03-05", "on March fifth twenty twenty four"),
    ("ended on 11/11/1918.", "ended on November eleventh nineteen eighteen."),
    ("Doses of 0.5-1.5 mL/kg", "Doses of zero point five to one point five millilitres per kilogram"),
    ("120/80 mmHg", "one hundred and twenty over eighty millimetres of mercury"),
    ("10-20% of", "ten to twenty percent of"),
    ("at 10:05 pm and 14:00", "at ten oh five p m and fourteen hundred"),
    ("at 9:00 am. Details", "at nine a m. Details"),
    ("1 kg, 2 ft", "one kilogram, two feet"),
    ("Open 24/7 since Sept. 11, 2001.", "Open twenty four seven since September eleventh two thousand and one."),
    ("On 1 July 2025", "On the first of July twenty twenty five"),
    ("Read nhs.uk today", "Read nhs dot uk today"),
    ("Version 20.0-21.5 was used.", "Version twenty to twenty one point five was used."),  # a real manual's range
]


@pytest.mark.parametrize(("written", "said"), CASES)
def test_written_forms_are_spelled_out(written: str, said: str) -> None:
    assert normalize(written) == said


@pytest.mark.parametrize("text", [
    "I think, therefore I am.",  # "I" the pronoun is never one
    "Plain words stay as they are.",
    "Node.js and index.html",  # not a site
])
def test_what_needs_nothing_is_left_alone(text: str) -> None:
    assert normalize(text) == text


def test_ranges_compare_equal_however_written() -> None:
    assert compare_words("2-3") == compare_words("two to three") == compare_words("2 to 3") == ["two", "to", "three"]
    assert compare_words("It's disease-free.") == ["its", "disease", "free"]
    assert compare_words("$3.5 million") == compare_words("three point five million dollars")


def test_roman_numerals() -> None:
    assert [roman_value(x) for x in ("IV", "XIV", "MCMXC", "IIII", "", "IC")] == [4, 14, 1990, None, None, None]


def test_lexicon_runs_before_normalization_and_can_turn_it_off() -> None:
    assert compile_lexicon({"2-3": "a couple of"}).apply("In 2-3 days") == "In a couple of days"
    assert compile_lexicon({}).apply("In 2-3 days") == "In 2-3 days"  # the lexicon alone spells nothing out
    script = Script(Meta("T"), default_voices(), (ScriptChapter("C", (Segment("In 2-3 days."),)),),
                    lexicon={"days": "sunrises"})
    (said,) = [r.text for r in plan_episode(script, 96).requests if "2" in r.text or "two" in r.text]
    assert said == "In two to three sunrises."  # the script's lexicon first, then spelling out
    off = plan_episode(dataclasses.replace(script, spell_out=False), 96).requests
    assert "In 2-3 sunrises." in [r.text for r in off]
