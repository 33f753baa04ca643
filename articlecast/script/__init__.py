"""The script: what an episode will say, by whom, in which chapters — made from an article, written and read
as editable YAML, with the host's own words (intro and outro) and a pronunciation lexicon."""

from __future__ import annotations

from .document import dump_script, load_script, read_script, script_to_data, write_script
from .identity import content_guid, credit_line, episode_guid
from .lexicon import Lexicon, compile_lexicon
from .make import make_digest, make_script
from .model import AUTO, Meta, Music, Script, ScriptChapter, Segment, Show, Voice
from .spoken import intro_texts, length_words, outro_text
from .voices import AUTO_VOICE, DEFAULT_VOICE, default_voices

__all__ = ["AUTO", "AUTO_VOICE", "DEFAULT_VOICE", "compile_lexicon", "content_guid", "credit_line", "default_voices",
           "dump_script", "episode_guid", "intro_texts", "length_words", "Lexicon", "load_script",
           "make_digest", "make_script", "Meta", "Music", "outro_text", "read_script", "Script",
           "script_to_data", "ScriptChapter", "Segment", "Show", "Voice", "write_script"]
