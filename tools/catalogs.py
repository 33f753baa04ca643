#!/usr/bin/env python3
"""The translations of our own words: extract every message the code passes to ``gettext``/``ngettext`` into
``articlecast/locale/articlecast.pot``, add any new ones (untranslated) to each language's ``.po``, and compile
each ``.po`` to the ``.mo`` the product reads (with Babel, the Python convention). Run it after changing a
message, translate what it added, and run it again; ``tests/test_languages.py`` fails while a catalog is out of
date or incomplete.

    python tools/catalogs.py           # write the .pot, update the .po files, compile the .mo files
    python tools/catalogs.py --check   # exit 1 if anything would change or a message is untranslated
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "articlecast" / "locale"
POT = LOCALES / "articlecast.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
DATE = dt.datetime(2026, 12, 3, tzinfo=dt.timezone.utc)
"""The catalogs' header date, fixed: the files change only when a message does."""


def template() -> Catalog:
    """Every message of the code, in the order it first appears."""
    catalog = Catalog(project="articlecast", version="0.2", domain="articlecast", creation_date=DATE,
                      revision_date=DATE, fuzzy=False, msgid_bugs_address="",
                      header_comment="# The words articlecast adds to an episode, in English: the template of every catalog.\n#")
    for path, line, message, comments, _ in extract_from_dir(ROOT / "articlecast", keywords=KEYWORDS,
                                                             comment_tags=("TRANSLATORS:",)):
        catalog.add(message, locations=[(f"articlecast/{path}", line)], auto_comments=comments)
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=120, omit_header=False, sort_output=False, include_previous=False,
             include_lineno=False)  # files, not lines: an edit elsewhere in a file leaves the catalogs alone
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def plan() -> tuple[dict[Path, bytes], list[str]]:
    """The files as they should be, and the messages each language lacks."""
    pot = template()
    files: dict[Path, bytes] = {POT: _po_bytes(pot)}
    lacking: list[str] = []
    for po_path in sorted(LOCALES.glob("*/LC_MESSAGES/articlecast.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parent.parent.name)
        catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        catalog.revision_date, catalog.fuzzy = DATE, False
        catalog.project, catalog.version, catalog.msgid_bugs_address = "articlecast", "0.2", ""
        catalog.last_translator = "the articlecast developers (not yet reviewed by a native speaker)"
        catalog.language_team = ""
        catalog.header_comment = (f"# {catalog.locale.english_name} words of articlecast: what the product adds to an "
                                  "episode.\n# Same licence as articlecast (Apache-2.0). Made and updated by "
                                  "tools/catalogs.py; translate the empty msgstr.\n#")
        catalog.obsolete.clear()
        for message in catalog:
            if message.id and (not message.string or (isinstance(message.string, tuple) and not all(message.string))):
                lacking.append(f"{po_path.parent.parent.name}: {message.id if isinstance(message.id, str) else message.id[0]!r}")
        files[po_path] = _po_bytes(catalog)
        files[po_path.with_suffix(".mo")] = _mo_bytes(catalog)
    return files, lacking


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    args = ap.parse_args()
    files, lacking = plan()
    stale = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)} (run: python tools/catalogs.py)")
        for m in lacking:
            print(f"untranslated: {m}")
        return 1 if stale or lacking else 0
    for p in stale:
        p.write_bytes(files[p])
        print(f"wrote {p.relative_to(ROOT)}")
    for m in lacking:
        print(f"untranslated: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
