"""Every language an article comes in: the voice chosen by the article's language, our own words translated
(gettext catalogs), language codes where each format wants them, sentences split and numbers compared by each
language's rules, Kokoro's voices end to end."""

from __future__ import annotations

import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, need_extra, one_line_error, speak, speak_ok
from mutagen.id3 import ID3

from articlecast.models import three_letter_language, two_letter_language
from articlecast.script import make_script, read_script
from articlecast.script.model import Meta, Script, ScriptChapter, Segment, Show, Voice
from articlecast.script.spoken import intro_texts, length_words, outro_text
from articlecast.script.voices import AUTO_VOICE, default_voices
from articlecast.util.words import translated_languages, words
from articlecast.voice.choice import LANGUAGE_VOICES, espeak_voice, language_voices, resolve_voices
from articlecast.voice.sentences import split_sentences
from articlecast.voice.spelling import compare_words, spell_out

SPANISH = """# La reforma de las pensiones

El Gobierno aprobó el martes una reforma que afectará a millones de personas. Según la ministra, la medida
entrará en vigor el próximo año y protegerá el poder adquisitivo de los jubilados.

## Lo que dicen los sindicatos

Los sindicatos critican que la medida llega tarde. ¿Es suficiente? La portavoz dijo que no, y pidió que el
Gobierno abra una mesa de diálogo con las organizaciones de pensionistas antes del verano.
"""


def test_every_catalog_is_current_and_complete() -> None:
    """tools/catalogs.py --check: every message of the code in every language's .po, translated, compiled."""
    out = subprocess.run([sys.executable, "tools/catalogs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert {"de", "es", "fr", "it", "pt"} <= set(translated_languages())


@pytest.mark.parametrize("language", ["es", "fr", "it", "pt", "de"])
def test_our_words_are_in_the_articles_language(language: str) -> None:
    """Intro, length, coming up and outro of an article in ``language``: none of the English words, every
    placeholder filled, and a language without a catalog (Dutch) keeps English."""
    chapters = (ScriptChapter("Uno", (Segment("Texto."),)), ScriptChapter("P?", (Segment("R."),), "faq"),
                ScriptChapter("P2?", (Segment("R."),), "faq"))
    script = Script(Meta("Título", Show(name="Show", language=language), source="https://example.org/a"),
                    default_voices(language), chapters)
    opening, length, coming = intro_texts(script, 600)
    said = " ".join([opening, length, coming, outro_text(script)])
    for english in ("Welcome", "This episode runs", "Coming up", "frequently asked", "That was", "Thanks"):
        assert english not in said, (language, said)
    assert "{" not in said and "10" in length and "Título" in opening and "example.org" in said
    assert words(language).gettext("Intro") != "Intro"
    dutch = Script(Meta("Titel", Show(language="nl")), default_voices("nl"), chapters)
    assert intro_texts(dutch, 600)[1] == "This episode runs about 10 minutes, in 5 chapters."


def test_english_words_are_unchanged() -> None:
    assert length_words(30) == "under a minute" and length_words(80) == "about a minute"
    assert length_words(600) == "about 10 minutes"
    assert words("pt-BR").gettext("Intro") == "Introdução"  # a regional tag finds its language's catalog


def test_language_codes_where_each_format_wants_them() -> None:
    """ID3's language frames take ISO 639-2; a tag's region is dropped, an unknown one is "und"; back again."""
    assert [three_letter_language(t) for t in ("en", "es-MX", "pt-BR", "de", "zh-Hans", "", "xx")] == \
        ["eng", "spa", "por", "deu", "zho", "und", "und"]
    assert [two_letter_language(c) for c in ("spa", "eng", "ger", "und", "en", "")] == ["es", "en", "de", "", "en", ""]


def test_sentences_split_by_each_languages_rules() -> None:
    assert split_sentences("Hola. ¿Qué tal? Él vino. El Sr. Pérez llegó.", "es") == \
        ["Hola.", "¿Qué tal?", "Él vino.", "El Sr. Pérez llegó."]
    assert split_sentences("Am 3. März kam er. Dann ging er z.B. nach Hause.", "de") == \
        ["Am 3. März kam er.", "Dann ging er z.B. nach Hause."]
    assert split_sentences("Mme. Roy est partie. M. Dupont aussi.", "fr") == ["Mme. Roy est partie.", "M. Dupont aussi."]
    assert split_sentences("北京是中国的首都。今天天气很好！", "zh") == ["北京是中国的首都。", "今天天气很好！"]
    assert split_sentences("It rose 3. Then it fell.") == ["It rose 3.", "Then it fell."]  # English: no ordinal dot


def test_english_spelling_rules_stay_out_of_other_languages() -> None:
    """The voice reads another language's numbers by that language's rules (what it would spell letter by letter,
    units and marked ordinals, said in words here); the check compares numbers in words."""
    text = "El 25 % de 1.500 personas pagó 20 € en 2027."
    assert spell_out(text, "es") == text
    assert spell_out("Recorrió 5 km en 1 h, el 1.º de mayo y la 2.ª vez, a 25 °C.", "es") == \
        "Recorrió 5 kilómetros en 1 hora, el primero de mayo y la segunda vez, a 25 grados."
    assert spell_out("le 1er mai, la 1re fois, le 2e jour", "fr") == "le premier mai, la première fois, le deuxième jour"
    assert spell_out("Am 3. Mai lief er 12 km.", "de") == "Am dritten Mai lief er 12 Kilometer."
    assert spell_out("il 1° maggio, a 25 °C", "it-IT") == "il primo maggio, a 25 gradi"
    assert spell_out("em 1º de maio, 1 h", "pt-BR") == "em primeiro de maio, 1 hora"
    assert compare_words("5 km", "es") == compare_words("cinco kilómetros", "es")
    assert compare_words("¿Qué cambia? Él está aquí.", "es") == ["que", "cambia", "el", "esta", "aqui"]
    assert compare_words("a ajouté les voitures neuves", "fr") == compare_words("a ajouter les voiture neuve", "fr")
    assert compare_words("des", "fr") != compare_words("de", "fr")
    assert spell_out("à 9h05 et à 18h", "fr") == "à 9 heures 5 et à 18 heures"
    assert spell_out("às 10h30", "pt") == "às 10 horas e 30"
    assert "twenty" in spell_out("It cost $20 in 2027.")
    assert compare_words("El 25 % de 1.500 personas", "es") == ["el", "veinticinco", "de", "mil", "quinientos", "personas"]
    assert compare_words("veinticinco personas", "es") == compare_words("25 personas", "es")
    assert compare_words("Am 3. März", "de") == ["am", "dritten", "märz"]


def test_the_articles_language_chooses_the_voices() -> None:
    """An English article keeps hibari (and "auto" for the questions); any other language is "auto" for every
    role, made concrete here: the language's first voice for the narrator, its second for the questions."""
    assert default_voices("en")["narrator"] == Voice("hibari", "heart")
    assert {v.engine for v in default_voices("es").values()} == {AUTO_VOICE}
    script = make_script_in("es")
    assert script.voices["narrator"].engine == AUTO_VOICE
    resolved = resolve_voices(script)
    narrator, second = language_voices("es")
    assert resolved.voices["narrator"] == narrator and resolved.voices["host"] == narrator
    assert resolved.voices["question"] == (second or narrator)
    chosen = resolve_voices(Script(script.meta, {**script.voices, "narrator": Voice("espeak", "es")}, script.chapters))
    assert chosen.voices["narrator"] == Voice("espeak", "es")  # a voice given by hand is kept


def make_script_in(language: str) -> Script:
    from articlecast.inputs.article import Article, Section

    article = Article("Título", [Section("Uno", "section", ("Texto del artículo.",))], language=language)
    return make_script(article)


def test_a_language_without_a_natural_voice_is_read_by_espeak_with_one_line(caplog: pytest.LogCaptureFixture) -> None:
    if espeak_voice("nl") is None:
        pytest.skip("needs espeak-ng (apt-get install espeak-ng)")
    with caplog.at_level(logging.WARNING):
        narrator, second = language_voices("nl")
    assert narrator == Voice("espeak", "nl") and second is None
    assert [r.getMessage() for r in caplog.records] == [
        "espeak-ng (robotic) reads this Dutch episode: no natural offline Dutch voice is available yet"]


@pytest.mark.extra("voices")
def test_every_language_with_natural_voices_has_them_here() -> None:
    need_extra("voices")
    for language, best in LANGUAGE_VOICES.items():
        assert language_voices(language)[0] == best[0], language


@pytest.mark.extra("voices")
def test_kokoro_speaks_each_language() -> None:
    """Each Kokoro voice says a sentence: speech of a plausible length at 24 kHz, faster at speed 1.5."""
    need_extra("voices")
    from articlecast.voice import get_engine
    from articlecast.voice.engines.kokoro import VOICES, phonemes

    engine = get_engine("kokoro")
    assert phonemes("Hola, ¿qué tal?", "es") == "ˈola, kˈe tˈal?"
    for name in ("ef_dora", "ff_siwis", "if_sara", "pf_dora", "de_siwis"):
        audio = engine.synthesize("Uno, dos, tres, cuatro, cinco.", name)
        seconds = len(audio.samples) / audio.sample_rate
        assert audio.sample_rate == 24000 and 1.0 < seconds < 6.0, (name, seconds)
        assert np.abs(audio.samples).max() > 0.05, name
    fast = engine.synthesize("Uno, dos, tres, cuatro, cinco.", "ef_dora", 1.5)
    assert len(fast.samples) < 0.8 * len(engine.synthesize("Uno, dos, tres, cuatro, cinco.", "ef_dora").samples)
    long = engine.synthesize(" ".join(["La casa es grande y bonita."] * 30), "ef_dora")  # over 510 phonemes
    assert len(long.samples) / 24000 > 30
    assert set(VOICES) >= {"ef_dora", "em_alex", "ff_siwis", "if_sara", "im_nicola", "pf_dora", "pm_alex"}


@pytest.mark.slow
@pytest.mark.extra("voices")
@pytest.mark.extra("check")
def test_a_spanish_article_is_a_spanish_episode(tmp_path: Path) -> None:
    """Built with no voice named: Spanish voices, Spanish words of ours, "spa" in the MP3, "es" in the feed, the
    page and the book; and listened back in Spanish, almost every word heard."""
    need_extra("voices")
    need_extra("check")
    (tmp_path / "pensiones.md").write_text(SPANISH, encoding="utf-8")
    out = speak_ok(["build", "pensiones.md", "-o", "out", "--check"], tmp_path)
    assert "Introducción" in out.stdout and "Cierre" in out.stdout, out.stdout
    mp3 = tmp_path / "out" / "la-reforma-de-las-pensiones.mp3"
    assert ID3(mp3)["TLAN"].text == ["spa"]
    assert "<language>es</language>" in (tmp_path / "out" / "feed.xml").read_text(encoding="utf-8")
    assert 'lang="es"' in mp3.with_suffix(".html").read_text(encoding="utf-8")
    transcript = mp3.with_suffix(".txt").read_text(encoding="utf-8")
    assert "Bienvenidos a" in transcript and "Gracias por escuchar" in transcript
    script = tmp_path / "pensiones.yaml"
    speak_ok(["script", "pensiones.md", "-o", str(script)], tmp_path)
    assert read_script(script).voices["narrator"] == Voice("kokoro", "ef_dora")  # written into the script
    check = speak_ok(["check", str(mp3)], tmp_path)
    missed = float(check.stdout.split("% of")[0].rsplit(" ", 1)[-1])
    assert missed <= 10, check.stdout


def test_an_explicit_voice_wins_and_a_wrong_one_is_one_line(tmp_path: Path) -> None:
    """--voice silent reads a Spanish article; everything around the words is Spanish: the chapters, the MP3's
    language frame, the listening page's controls and its script's announcements, the book's table of contents
    and accessibility summary, the show notes."""
    (tmp_path / "pensiones.md").write_text(SPANISH, encoding="utf-8")
    out = speak_ok(["build", "pensiones.md", "-o", "out", "--voice", "silent"], tmp_path)
    assert "Introducción" in out.stdout
    mp3 = tmp_path / "out" / "la-reforma-de-las-pensiones.mp3"
    assert ID3(mp3)["TLAN"].text == ["spa"]
    page = mp3.with_suffix(".html").read_text(encoding="utf-8")
    for spanish in ('<html lang="es">', '<h2 id="chapters-heading">Capítulos</h2>', ">Reproducir</button>",
                    "Capítulo {n} de {count}: {name}", "Libro con lectura sincronizada (EPUB)"):
        assert spanish in page, spanish
    for english in (">Play</button>", "Keyboard shortcuts", "Skip to the player"):
        assert english not in page, english
    with zipfile.ZipFile(mp3.with_suffix(".epub")) as book:
        assert ">Índice</h1>" in book.read("EPUB/nav.xhtml").decode("utf-8")
        assert "Este libro es el texto de un episodio" in book.read("EPUB/package.opf").decode("utf-8")
    notes = mp3.with_name(mp3.stem + ".md")
    if notes.exists():
        assert "## Capítulos" in notes.read_text(encoding="utf-8")
    one_line_error(speak(["build", "pensiones.md", "-o", "out", "--voice", "kokoro:nobody"], tmp_path),
                   "kokoro", "nobody")


def test_japanese_and_chinese_are_told_by_their_script() -> None:
    from articlecast.inputs.language import guess_language

    assert guess_language("東京都は新しい計画を発表しました。今日は良い天気です。" * 4) == "ja"
    assert guess_language("北京是中国的首都，有两千多万人口。今天天气很好。" * 4) == "zh"
    assert guess_language("東京") == ""  # too few to tell


@pytest.mark.extra("voices-ja")
def test_japanese_is_spoken_and_compared_as_it_is_read() -> None:
    """A Japanese sentence by Kokoro's Japanese voice; kanji, kana and digits that say the same compare equal."""
    need_extra("voices-ja")
    from articlecast.voice import get_engine

    assert compare_words("今日は二〇二六年です。", "ja") == compare_words("きょうは2026年です", "ja")
    assert len(compare_words("今日は良い天気です。", "ja")) == len("キョーワヨイテンキデス")
    audio = get_engine("kokoro").synthesize("今日は良い天気です。", "jf_alpha")
    assert 1.0 < len(audio.samples) / audio.sample_rate < 4.0
    assert language_voices("ja")[0] == Voice("kokoro", "jf_alpha")


ENGLISH = """# Rain gardens cut city flooding

Cities that plant rain gardens along their streets see less flooding after heavy storms, a new study finds. The
gardens soak up water that would otherwise run into drains.

## What comes next

The researchers plan to measure gardens in three more cities next year, and to share what they learn.
"""


def test_a_digests_article_in_another_language_keeps_its_language_and_voices(tmp_path: Path) -> None:
    """In a digest, the chapters of an article in another language carry that language and its voices, through
    the script's YAML and back; the episode (its intro and outro) is in the first article's language."""
    from articlecast.inputs.article import Article, Section
    from articlecast.script import dump_script, load_script, make_digest

    english = make_script(Article("Rain", [Section("Gardens", "section", ("They soak up water.",))], language="en"))
    spanish = resolve_voices(make_script_in("es"))
    digest = make_digest([english, spanish], "This week")
    assert digest.meta.language == "en"
    assert [(c.language, bool(c.voices)) for c in digest.chapters] == [("", False), ("es", True)]
    assert digest.chapters[1].voices == spanish.voices
    again = load_script(dump_script(digest))
    assert again.chapters == digest.chapters
    assert resolve_voices(again).chapters[1].voices == spanish.voices


@pytest.mark.slow
@pytest.mark.extra("voices")
@pytest.mark.extra("check")
def test_a_digest_speaks_each_article_in_its_own_language(tmp_path: Path) -> None:
    """An English and a Spanish article as one digest: the Spanish chapters in Spanish voices and marked so in the
    MP3 (a TLAN in their CHAP frames) and on the page; listened back, each in its own language."""
    need_extra("voices")
    need_extra("check")
    from articlecast import read_mp3

    (tmp_path / "en.md").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "es.md").write_text(SPANISH, encoding="utf-8")
    speak_ok(["build", "en.md", "es.md", "--digest", "This week", "-o", "out", "--check"], tmp_path)
    mp3 = tmp_path / "out" / "this-week.mp3"
    assert [c.language for c in read_mp3(mp3).chapters] == ["", "", "", "es", "es", ""]
    assert ID3(mp3)["TLAN"].text == ["eng"]
    assert '<h3 id="chapter-4" lang="es">' in mp3.with_suffix(".html").read_text(encoding="utf-8")
    check = speak_ok(["check", str(mp3)], tmp_path)
    missed = float(check.stdout.split("% of")[0].rsplit(" ", 1)[-1])
    assert missed <= 5, check.stdout
    speak_ok(["script", "en.md", "es.md", "--digest", "This week", "-o", "digest.yaml"], tmp_path)
    chapters = read_script(tmp_path / "digest.yaml").chapters
    assert chapters[-1].language == "es" and chapters[-1].voices["narrator"] == Voice("kokoro", "ef_dora")


def test_speak_voices_lists_each_languages_voices(tmp_path: Path) -> None:
    out = speak_ok(["voices"], tmp_path).stdout
    table = out.split("\n\n")[0]
    for expected in ("English", "Spanish", "French", "Italian", "Portuguese", "German", "Japanese",
                     "kokoro:ef_dora, kokoro:em_alex", "Apache-2.0", "espeak:LANG"):
        assert expected in table, expected
