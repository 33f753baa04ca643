"""articlecast: a written article in, a chaptered podcast episode out.

Stages, each a module: ``article`` (parse) -> ``script`` (what is said) -> ``speech`` (engines + cache)
-> ``mixer`` (one timeline, loudness) -> ``tagger`` (MP3 + ID3 chapters). ``pipeline`` runs them.
"""

__version__ = "0.1.0"
