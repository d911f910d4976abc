"""Whether a word is an ordinary word of English or Russian, and not a name.

The outputs withhold a lower-case word spelt as a withheld name only if it is no ordinary word
("ballet" and "балет" are not Bolat). The full-text search looks a word's spelling up in its
own script only if it is no common word: a place or a name ("Qarshi" finds "Karshi"; "rate" does
not find "Rat"). The dictionaries load on the first question (a few tenths of a second), in the
process that asks it: most texts never ask. The outputs ask the Russian one too for what a
capitalised word is a case form of ("Павла" of Павел), to withhold a name in its cases.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# What the Russian dictionary tags a first name, a surname and a patronymic with: a word that
# is only one of these is a name, not an ordinary word ("алишер"; "роза" is both).
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
# And a place, an organisation, a trade mark: a word that is only a name of something.
_PROPER_TAGS = _NAME_TAGS | {"Geox", "Orgn", "Trad"}
# The English dictionary lists the words it only knows (place and people names: "tashkent",
# "khiva"; rare words) at its lowest count: a common word was seen more often than that.
_LISTED_ONLY = 50
_CYRILLIC = re.compile("[а-яё]")


@lru_cache(maxsize=1)
def _russian() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _english_counts() -> dict[str, int]:
    """The English dictionary's words with how often each was seen (loaded once)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.dictionary


@lru_cache(maxsize=1)
def _common_english() -> frozenset[str]:
    return frozenset(word for word, count in _english_counts().items() if count > _LISTED_ONLY)


def _russian_word(word: str, only: frozenset[str]) -> bool:
    """Whether the Russian dictionary knows ``word`` as something other than a name of the
    kinds ``only`` tags."""
    return any(
        parse.is_known and not only & parse.tag.grammemes for parse in _russian().parse(word)
    )


@lru_cache(maxsize=8192)
def ordinary_word(word: str) -> bool:
    """Whether ``word`` is an ordinary word of Russian (in any of its forms: "раза") or of
    English ("rustle"), and not a name only ("алишер")."""
    word = word.lower()
    if _CYRILLIC.search(word):
        return _russian_word(word, _NAME_TAGS)
    return word in _english_counts()


@lru_cache(maxsize=8192)
def common_word(word: str) -> bool:
    """Whether ``word`` is a common word of Russian ("работе", "стол") or of English ("rating",
    "post"), and not a name of a person, place or organisation ("ташкенте", "Tashkent") nor a
    word the dictionaries do not know or only list ("toshkent", "qarshi")."""
    word = word.lower()
    if _CYRILLIC.search(word):
        return _russian_word(word, _PROPER_TAGS)
    return word in _common_english()


@lru_cache(maxsize=8192)
def place_names(word: str) -> tuple[str, ...] | None:
    """None unless the Russian dictionary knows ``word`` as the name of a place ("Алматы",
    "Караганды"); then the dictionary forms of the people's names it may be a form of too
    ("алмат": Алматы are the Almats; "астан" for Астана)."""
    word = word.lower()
    if not _CYRILLIC.search(word):
        return None
    known = [parse for parse in _russian().parse(word) if parse.is_known]
    if not any("Geox" in parse.tag.grammemes for parse in known):
        return None
    names = (p.normal_form for p in known if _NAME_TAGS & p.tag.grammemes)
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=8192)
def russian_lemmas(word: str) -> tuple[str, ...]:
    """The dictionary forms the Russian dictionary reads a Cyrillic word as, known or guessed
    by its ending, in lower case ("Ольгой": "ольга"; "Павла": "павел"; "Белого": "белый";
    "Каримовой": "каримов"); none for a word of another script."""
    word = word.lower()
    if not _CYRILLIC.search(word):
        return ()
    return tuple(dict.fromkeys(parse.normal_form for parse in _russian().parse(word)))
