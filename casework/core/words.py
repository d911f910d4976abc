"""Whether a word is an ordinary word of English or Russian, and not a name.

The outputs withhold a lower-case word spelt as a withheld name only if it is no ordinary word
("ballet" and "балет" are not Bolat). The dictionaries load on the first question (a few tenths
of a second), in the process that asks it: most texts never ask.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# What the Russian dictionary tags a first name, a surname and a patronymic with: a word that
# is only one of these is a name, not an ordinary word ("алишер"; "роза" is both).
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_CYRILLIC = re.compile("[а-яё]")


@lru_cache(maxsize=1)
def _russian() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


@lru_cache(maxsize=8192)
def ordinary_word(word: str) -> bool:
    """Whether ``word`` is an ordinary word of Russian (in any of its forms: "раза") or of
    English ("rustle"), and not a name only ("алишер")."""
    word = word.lower()
    if _CYRILLIC.search(word):
        return any(
            parse.is_known and not _NAME_TAGS & parse.tag.grammemes
            for parse in _russian().parse(word)
        )
    return word in _english()
