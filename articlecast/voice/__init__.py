"""Voices and speech: the engines, which voice speaks what, how a sentence is split and spelled out for a voice,
and the speaker that has sentences spoken (in speech threads or on Ray) and keeps them in the cache."""
