"""Text as its reader sees it.

Text pasted from a word processor, a PDF or a web page can carry characters nobody sees
inside a word: a soft hyphen, zero-width spaces and joiners, a word joiner, a byte-order mark,
direction marks and embeddings; Russian text can carry stress marks. Each splits a name in two
for whatever compares words (the names withheld from an output, the people matched by name).
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
STRESS = re.compile("[\u0300\u0301]")  # left over once composed: on Cyrillic letters


def visible(text: str) -> str:
    """``text`` composed (NFC), without invisible characters or stress marks."""
    return STRESS.sub("", INVISIBLE.sub("", unicodedata.normalize("NFC", text)))


_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))


def grouping_key(value: str) -> str:
    """What makes two references typed by hand the same (an import's ``case_key``, a case's own
    reference): they are not always typed alike ("KZ-17", "kz-17", "KZ–17" with a dash a
    word processor made, "KZ-17 " with a trailing space, full-width letters)."""
    folded = unicodedata.normalize("NFKC", value).translate(_DASHES).casefold()
    return " ".join(folded.split())
