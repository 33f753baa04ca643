"""Publishing: an episode's files (MP3, captions, transcript, chapters, cover, listening page, show notes) and
the folder's feed, written as one transaction; and what podcast directories require of the feed."""

from __future__ import annotations

from .episode import Episode
from .feed import Channel, FeedItem, read_items
from .folder import Artwork, Published, artwork, build_hash, prepare_output, publish_episode, remove_episode, up_to_date
from .report import summary, write_report
from .requirements import Problem, audit_feed
from .serve import qr_text, serving
from .upload import FEED, Uploaded, content_type, publish_to

__all__ = ["FEED", "Channel", "Artwork", "artwork", "audit_feed", "build_hash", "content_type", "Episode", "FeedItem",
           "prepare_output", "Problem", "publish_episode", "publish_to", "Published", "qr_text", "read_items",
           "remove_episode", "serving", "summary", "up_to_date", "Uploaded", "write_report"]
