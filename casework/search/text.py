"""Words of a text as search terms: normalised, stemmed, stop words dropped; highlighting.

The same function turns a stored text and a query into terms, so that "депортирован" finds
"депортированы" and "deported" finds "deporting". A word's script picks its stemmer: Russian
words (Cyrillic, Russian letters only) the Russian Snowball stemmer, Latin words the English
one, and a Russian noun naming an act is taken to its verb's root ("задержание" finds
"задержан", "экстрадиция" finds "экстрадировать"); Kazakh, Uzbek, Kyrgyz and Uyghur words
(letters Russian has not, or Arabic script) are only normalised. Any change here that gives a
word another term raises ``casework.search.index.RULES_VERSION``. Numbers of more than four digits (telephone, passport, UNHCR numbers) are never
terms: only years and article numbers are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

from casework.core.text import visible
from casework.core.words import common_word, ordinary_word
from casework.people.names import fold_homoglyphs, j_is_yu, latin_key, without_final_h

MIN_WORD_LEN = 2
MAX_NUMBER_LEN = 4
# Apostrophes inside a word (Uzbek oʻ, gʻ; English it's) are dropped rather than splitting it.
_APOSTROPHES = "'\u2019\u02bc\u02bb\u2018`\u00b4"
_WORD = re.compile(r"[^\W_](?:[^\W_]|[" + _APOSTROPHES + r"](?=[^\W_]))*")
_RUSSIAN = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "during",
        "each",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "а",
        "без",
        "более",
        "бы",
        "был",
        "была",
        "были",
        "было",
        "быть",
        "в",
        "вам",
        "вас",
        "весь",
        "во",
        "вот",
        "все",
        "всего",
        "всех",
        "вы",
        "где",
        "да",
        "даже",
        "для",
        "до",
        "его",
        "ее",
        "её",
        "если",
        "есть",
        "еще",
        "ещё",
        "же",
        "за",
        "здесь",
        "и",
        "из",
        "или",
        "им",
        "их",
        "к",
        "как",
        "ко",
        "когда",
        "кто",
        "ли",
        "либо",
        "мне",
        "может",
        "мы",
        "на",
        "надо",
        "наш",
        "не",
        "него",
        "нее",
        "неё",
        "нет",
        "ни",
        "них",
        "но",
        "ну",
        "о",
        "об",
        "однако",
        "он",
        "она",
        "они",
        "оно",
        "от",
        "очень",
        "по",
        "под",
        "при",
        "с",
        "со",
        "так",
        "также",
        "такой",
        "там",
        "те",
        "тем",
        "то",
        "того",
        "тоже",
        "той",
        "только",
        "том",
        "ты",
        "у",
        "уже",
        "хотя",
        "чего",
        "чей",
        "чем",
        "что",
        "чтобы",
        "чье",
        "чья",
        "эта",
        "эти",
        "это",
        "я",
    ]
)


def _strip_latin_accents(word: str) -> str:
    """é → e, ş → s, ö → o; only on Latin letters (Cyrillic й must stay й)."""
    decomposed = unicodedata.normalize("NFD", word)
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and out[-1] in _LATIN:
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalise_word(word: str) -> str:
    """NFKC, look-alike letters of another script in the word's own (``fold_homoglyphs``:
    "Sаrsenbaev" with a Cyrillic а), casefold, apostrophes dropped, Latin accents stripped,
    ё → е."""
    word = fold_homoglyphs(unicodedata.normalize("NFKC", word)).casefold()
    word = word.translate({ord(a): None for a in _APOSTROPHES})
    word = _strip_latin_accents(word)
    return word.replace("ё", "е")


@lru_cache(maxsize=2)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


# Russian words for one act are formed apart: Snowball stems the noun "задержание" to
# "задержан" and the verb "задержали" to "задержа", "экстрадиция" to "экстрадиц" and
# "экстрадировать" to "экстрадирова". These steps take such stems back to one root. Each needs
# the word's own ending (not only the stem's: "командиру" is not "-ировать") and leaves at least
# _MIN_ROOT letters ("полиция" stays "полиц", not "пол").
_MIN_ROOT = 4
_VERBAL_NOUN = re.compile(r"[аяе]ни(?:е|я|ю|ем|и|й|ям|ями|ях)$")  # задержание, выдворения
_CIA_NOUN = re.compile(r"[аи]ци(?:я|и|ю|ей|й|ям|ями|ях)$")  # экстрадиция, депортации
_IRU_VERB = re.compile(r"иру(?:ю|ет|ют|ем|ешь|ете|я|й|йте|ющ[а-я]*|ем[а-я]+)$")  # депортируют


def _cut(stem: str, suffix: str) -> str:
    if stem.endswith(suffix) and len(stem) - len(suffix) >= _MIN_ROOT:
        return stem[: -len(suffix)]
    return stem


def _russian_root(word: str, stem: str) -> str:
    """The Snowball stem of a Russian ``word`` taken back to the root its verb shares."""
    if _VERBAL_NOUN.search(word):  # задержан(ие) → задержа, выдворен(ие) → выдвор
        stem = _cut(stem, "ен") if stem.endswith("ен") else _cut(stem, "н")
    elif _CIA_NOUN.search(word):  # экстрадиц(ия) → экстрад, депортац(ия) → депорт
        stem = _cut(stem, stem[-2:]) if stem.endswith(("ац", "иц")) else stem
    elif _IRU_VERB.search(word):  # депортир(уют) → депорт
        stem = _cut(stem, "ир")
    for suffix in ("ацион", "ицион"):  # экстрадицион(ный) → экстрад
        stem = _cut(stem, suffix)
    # -ировать, -овать verbs, their participles and nouns: экстрадирова → экстрад,
    # арестова → арест, преследова → преслед.
    for suffix in ("ирова", "ова"):
        if stem.endswith(suffix):
            return _cut(stem, suffix)
    return stem


@lru_cache(maxsize=65536)
def term_of(word: str) -> str | None:
    """The search term of one word as it was typed, or None (stop word, too short, a long
    number)."""
    norm = normalise_word(word)
    if len(norm) < MIN_WORD_LEN or norm in STOP_WORDS:
        return None
    if norm.isdigit():
        return norm if len(norm) <= MAX_NUMBER_LEN else None
    if all(ch in _RUSSIAN or ch.isdigit() for ch in norm):
        return _russian_root(norm, _stemmer("russian").stemWord(norm))
    if all(ch in _LATIN or ch.isdigit() for ch in norm):
        return _stemmer("english").stemWord(norm)
    return norm  # Kazakh, Uzbek, Kyrgyz, Uyghur...: normalised only


# --- a word in another script ------------------------------------------------------------
#
# "Ташкенте" and "Tashkent", "Қарағанды" and "Караганда", "Хоразм" and "Xorazm" are one place
# in two scripts, with no term in common. Each word is keyed besides by its spelling key: its
# script, and its Latin form as the people matcher folds a name (``names.latin_key``: kh, x and
# h; q and k; gʻ and g; ш and sh), without its final vowels and one Russian case ending where
# four letters are left ("Ташкентом", "Караганды": "taSkent", "karagand"). A query word looks the key up in every
# script but its own, and in its own too when it is no common word of English or Russian (a
# place, a name: "Qarshi" finds "Karshi", "Xiva" "Khiva"): a common word's spellings in its
# script are found by its term, and its key would add namesakes there ("rate" is not "Rat",
# "стол" not "стал"). A word of fewer than four letters of key is keyed
# only when written with a capital (Ош, KNB): in lower case it is as often an unrelated word
# of the other language ("лет", "let").
_SPELLING_SCRIPTS = ("lat", "ru", "cyr", "ara", "other")
# Russian case endings, as ``names.latin_key`` spells them (ах is "ah", ых "yh").
_CASE_ENDINGS = (
    "ami", "yami", "ah", "yah", "am", "yam", "om", "em", "oy", "ey", "ym", "im", "yh", "ih",
    "oyu", "eyu", "yu",
)  # fmt: skip
_KEY_VOWELS = "aeiouy"
# Case endings of Uzbek, Kazakh and Kyrgyz (where, from where, whose, whom, to where) on a place
# or a name: "Toshkentda", "Toshkentdan", "Ташкенттен", "Алматыға", "Ulugbekni". They come off
# a word that is no ordinary word of English or Russian (``core.words.ordinary_word``: "Rwanda", "decade",
# "работе" keep theirs), where four letters are left and not from "-stan" ("Kazakhstan"). As
# the two dictionaries know different words ("Никита" is a Russian name, "Nikita" no English
# word), a query word looks its key up in the other scripts both with and without the ending.
_TURKIC_ENDINGS = tuple(
    sorted(
        (
            "da", "de", "ta", "te", "dan", "den", "tan", "ten", "nan", "nen", "dagi", "ning",
            "nin", "ni", "ga", "ge", "qa",
            "да", "де", "та", "те", "дан", "ден", "тан", "тен", "нан", "нен", "даги", "дағы",
            "ның", "нің", "дың", "дің", "тың", "тің", "нинг", "ни", "ға", "ге", "қа",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_MIN_TURKIC_STEM = 4
# Of these, -та, -да, -те, -де in a word of Russian letters are as often a Russian case ending
# after т or д ("Мурата", "Ахмеде"; "Ташкентте"): such a word is keyed both with and without.
_RUSSIAN_ALIKE = ("та", "да", "те", "де")
# Latin kh, x or h after a vowel and before a consonant is Kazakh қ as often as Russian х
# ("Kazakhstan", "Казахстан", "Қазақстан"); a final Latin qi is Chinese (pinyin) ч: "Urumqi",
# "Урумчи". Uzbek Latin and Cyrillic o is Russian а ("Toshkent", "Ташкент"): one key; but
# not in a common word of English or Russian, whose o is as written ("post" and "пост" are
# one, "past" another: ``_indexed``).
_H_BEFORE_CONSONANT = re.compile(r"(?<=[aeiouy])h(?=[^aeiouy])")
# A Latin j is ж or дж in Uzbek Latin and in the English spelling of the region's places
# ("Andijan", "Андижан"; "Jizzakh", "Джизак") and й in a name from Russian ("Juliya", "Юлия"),
# where the name folding reads it so in some places only ("Andijan" as "andiyan"): a word that
# is no common English word, or begins as Julia does (a name English uses as a word), is keyed
# both ways besides as written (``_readings``). A common word keeps its one key: "July" is not
# Юлия.
_J_AS_Y = re.compile("(?<!d)j")
# A Latin w after a consonant and before a vowel is у as often as в ("Rwanda", "Руанда";
# "Kwame", "Кваме"): a word that is no common English word is keyed with it as у besides.
_W_AS_U = re.compile("(?<=[^aeiouy])w(?=[aeiouy])")
# A final kh, x or х after a vowel, which the name folding drops ("Abdullah" is "Abdulla"), is
# Russian к in a place the region's languages spell so ("Jizzakh", "Jizzax", "Жиззах",
# "Джизак"): a word neither dictionary knows is keyed with it as к besides (``_readings``);
# a word they know keeps its key ("Kazakh" is not "казак", "Мах" not "Mak").
_FINAL_KH = re.compile("(?<=[aeiouyаеиоуыэюя])(kh|x|х)$")
# A Latin c (not of ch, ck) is the Turkish дж to the name folding ("Cengiz", "Дженгиз"), but
# English к, and с before e, i, y ("Canada", "Канада"; "Cecilia", "Сесилия"): a common English
# word is keyed with it so instead, any other Latin word so besides (``_readings``).
_C = re.compile("c(?![hk])")
_C_BEFORE = re.compile("c(?=[eiy])")
_K = {"kh": "k", "x": "k", "х": "к"}
# Uzbek ў, oʻ (in any apostrophe) is Russian у and English u ("Ўлуғбек", "Oʻlugʻbek";
# "Улугбек", "Ulugbek"), where the name folding reads it as o: a word with one is keyed with it
# as у besides (``_spelling``).
_UZBEK_O = re.compile("[ўЎ]|[oO][" + _APOSTROPHES + "]")
_AS_U = {"ў": "у", "Ў": "У", "o": "u", "O": "U"}
_MIN_KEY = 2
_MIN_LOWER_KEY = 4


def _script(norm: str) -> str:
    if all(ch in _RUSSIAN or ch.isdigit() for ch in norm):
        return "ru"
    names = {unicodedata.name(ch, "").split(" ", 1)[0] for ch in norm if ch.isalpha()}
    if names == {"LATIN"}:
        return "lat"
    if names == {"CYRILLIC"}:
        return "cyr"
    if names == {"ARABIC"}:
        return "ara"
    return "other"


def _spelling(word: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(script, Latin keys, the other keys) of one word as typed, or None (no term, or a number).

    The first key is the word's as written; the others its other readings (``_readings``). The
    other keys are the word's with its Turkic case ending where the keys have none, or the
    reverse: one script's dictionary may know a word the other's does not ("Никита", "Nikita";
    "Канада", "Kanada"), so a query looks those up in the other scripts too."""
    norm = normalise_word(word)
    if term_of(word) is None or not any(ch.isalpha() for ch in norm):
        return None
    script = _script(norm)
    cut = _turkic_ending(norm)
    # Uzbek ў, oʻ read as у, u besides (one letter for two: the ending is as long).
    as_u = normalise_word(_UZBEK_O.sub(lambda m: _AS_U[m[0][0]], word))
    spelt = [norm] + ([as_u] if as_u != norm else [])
    wholes = _keys([r for w in spelt for r in _readings(w, script, norm)], script)
    if not cut:
        return (script, wholes, ()) if wholes else None
    stems = _keys([r for w in spelt for r in _readings(w[:-cut], script, norm)], script)
    keys, others = (wholes, stems) if ordinary_word(norm) else (stems, wholes)
    if script == "ru" and norm[-cut:] in _RUSSIAN_ALIKE:
        keys, others = tuple(dict.fromkeys(keys + others)), ()
    if not keys:
        return None
    return script, keys, tuple(k for k in others if k not in keys)


def _keys(readings: list[str], script: str) -> tuple[str, ...]:
    """The distinct keys (``_key``) of a word's readings, the first reading's first."""
    return tuple(dict.fromkeys(k for r in readings if (k := _key(r, script))))


def _readings(stem: str, script: str, norm: str) -> list[str]:
    """A normalised word (or its ``stem`` without a case ending) as written, then as it may be
    read besides, if the word is no common word of English or Russian (a place or a name) or
    begins as Julia does (``names.j_is_yu``): a Latin j both as й (as the name folding reads
    it between a vowel and a consonant, "Juliya", "Юлия") and as ж, дж ("Andijan",
    "Андижан"), a Latin w after a consonant as у too ("Rwanda", "Руанда"), a Latin c as
    English к or с too ("Caracas"; a common English word only so: "Canada"); and if neither dictionary knows it at all, a final kh, x or х after a
    vowel as к too ("Jizzakh", "Жиззах", "Джизак"; "Kazakh" is not "казак")."""
    latin = script == "lat" and norm.isalpha()
    common = latin and common_word(norm)
    # A Juli- word is a name (Julia, Julian: Юлия, Юлиан) though English uses it as a word.
    latin_j = latin and "j" in stem and (not common or j_is_yu(norm))
    latin_w = latin and _W_AS_U.search(stem) and not common
    final_kh = _FINAL_KH.search(stem) and norm.isalpha() and not ordinary_word(norm)
    readings = [stem]
    if latin and _C.search(stem):
        english = _C.sub("k", _C_BEFORE.sub("s", stem))
        readings = [english] if common else [stem, english]
    if latin_j:  # the j of dj is дж only ("Djizak")
        readings = [f(r) for f in (str, _y_for_j, _zh_for_j) for r in readings]
    if latin_w:
        readings += [_W_AS_U.sub("u", r) for r in readings]
    if final_kh:
        readings += [_FINAL_KH.sub(lambda m: _K[m.group(1)], r) for r in readings]
    return readings


def _y_for_j(reading: str) -> str:
    return _J_AS_Y.sub("y", reading)


def _zh_for_j(reading: str) -> str:
    return reading.replace("j", "zh")


def _key(stem: str, script: str) -> str:
    """The Latin key of a normalised word (``_spelling``), or "" (too short)."""
    if script == "lat" and stem.endswith("qi"):
        stem = stem[:-2] + "chi"
    key = latin_key(stem).replace(" ", "")
    stripped = key.rstrip(_KEY_VOWELS)
    for ending in _CASE_ENDINGS:
        if stripped.endswith(ending) and len(stripped) - len(ending) >= 4:
            stripped = stripped[: -len(ending)].rstrip(_KEY_VOWELS)
            break
    # The folding drops a final х after a vowel ("Фаррух": "faru"), and so does the key of
    # the word with a case ending ("Фарруха", "Фаррухом").
    stripped = without_final_h(stripped).rstrip(_KEY_VOWELS)
    key = stripped if len(stripped) >= 3 else key
    key = _H_BEFORE_CONSONANT.sub("k", key)
    return key if len(key) >= _MIN_KEY else ""


def _indexed(key: str, common: bool) -> str:
    """A key (``_key``) as a word is indexed under it: a common word's with its o as written,
    in keys of their own ("=post" of "post" and "пост"), any other's with o as а ("Toshkent",
    "Ташкент": "taSkent")."""
    return f"={key}" if common else key.replace("o", "a")


def _looked_up(key: str, common: bool) -> list[str]:
    """The keys a query word's ``key`` looks up: the key of a word that is no common word
    ("Bozor" finds "Лондон", "Toshkent"), a common word's as written (``_indexed``: "post" finds
    "пост"), and unless it is common itself, a common word's with its o as а ("Bozor" finds
    "базар"; "пост" does not find "past")."""
    folded = key.replace("o", "a")
    return [folded, f"={key}"] + ([] if common else [f"={folded}"])


def _turkic_ending(norm: str) -> int:
    """The length of the Turkic case ending (``_TURKIC_ENDINGS``) a normalised word may have:
    0 for none. It comes off the word's key only if it is no ordinary word (``_spelling``)."""
    for ending in _TURKIC_ENDINGS:
        if norm.endswith(ending) and len(norm) - len(ending) >= _MIN_TURKIC_STEM:
            if norm[: -len(ending)].endswith(("s", "с")) and ending in ("tan", "тан"):
                return 0  # Kazakhstan, Узбекистан
            return len(ending)
    return 0


@lru_cache(maxsize=65536)
def spelling_key(word: str) -> str | None:
    """The spelling key a word of a text is indexed under as written ("ru:taSkent" for
    "Ташкенте"), or None: no term, or a short word in lower case."""
    keys = word_spelling_keys(word)
    return keys[0] if keys else None


@lru_cache(maxsize=65536)
def word_spelling_keys(word: str) -> tuple[str, ...]:
    """Every spelling key a word of a text is indexed under: its key as written
    (``spelling_key``) first, then those of its other readings ("Andijan" is indexed as
    "lat:andiyan" and "lat:andijan"); none of fewer than four letters for a word in lower case."""
    found = _spelling(word)
    if found is None:
        return ()
    script, keys, _ = found
    if not word[:1].isupper():
        if len(keys[0]) < _MIN_LOWER_KEY:
            return ()
        keys = tuple(k for k in keys if len(k) >= _MIN_LOWER_KEY)
    common = common_word(normalise_word(word))
    return tuple(dict.fromkeys(f"{script}:{_indexed(k, common)}" for k in keys))


def query_spelling_keys(word: str) -> list[str]:
    """The spelling keys a word of a query looks up: its keys (those of its readings, and its
    other keys, ``_spelling``) in every other script, and its key in its own for a word that is no common word of English
    or Russian (``core.words.common_word``: a place or a name, "Qarshi" finds "Karshi";
    "rating" does not look up "rat")."""
    found = _spelling(word)
    if found is None:
        return []
    script, keys, others = found
    # A code with digits is no place ("CanaryZq0001" is not "CanaryZq0002": a key has no digit).
    norm = normalise_word(word)
    common = common_word(norm)
    own = norm.isalpha() and not common
    found_keys = [
        f"{s}:{looked}"
        for key in keys
        for looked in _looked_up(key, common)
        for s in _SPELLING_SCRIPTS
        if own or s != script
    ]
    found_keys += [
        f"{s}:{looked}"
        for other in others
        for looked in _looked_up(other, common)
        for s in _SPELLING_SCRIPTS
        if s != script
    ]
    return list(dict.fromkeys(found_keys))


def spelling_keys(text: str | None) -> set[str]:
    """The distinct spelling keys of a text."""
    if not text:
        return set()
    return {k for m in words(text) for k in word_spelling_keys(m.group())}


def words(text: str) -> Iterator[re.Match[str]]:
    """Every word of ``text`` (with its position, for highlighting)."""
    return _WORD.finditer(visible(text))


def terms(text: str | None) -> set[str]:
    """The distinct search terms of a text."""
    if not text:
        return set()
    return {t for m in words(text) if (t := term_of(m.group())) is not None}


def query_groups(query: str) -> list[tuple[str, list[str]]]:
    """(term, the spelling keys of the words typed for it) of each term of a query, in the
    order typed: a record matches the term by its term or by one of those keys."""
    groups: dict[str, list[str]] = {}
    for m in words(query):
        term = term_of(m.group())
        if term is not None:
            keys = groups.setdefault(term, [])
            keys += [k for k in query_spelling_keys(m.group()) if k not in keys]
    return list(groups.items())


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """(terms in the order typed, without repeats; the words ignored as too common or short)."""
    found: list[str] = []
    ignored: list[str] = []
    for m in words(query):
        term = term_of(m.group())
        if term is None:
            ignored.append(m.group())
        elif term not in found:
            found.append(term)
    return found, ignored


def snippet(
    text: str,
    wanted: set[str],
    *,
    width: int = 240,
    spellings: frozenset[str] = frozenset(),
    matched: dict[str, bool] | None = None,
) -> tuple[Markup, int] | None:
    """An HTML-escaped excerpt of ``text`` around its first matching word, matches in <mark>,
    and how many words matched; None when no word of ``text`` is one of the ``wanted`` terms
    nor has one of the ``spellings`` keys. ``matched``: whether each word seen matches, kept
    across the excerpts of one search (the same ``wanted`` and ``spellings``)."""
    text = visible(text)
    matched = {} if matched is None else matched
    spans = []
    for m in words(text):
        word = m.group()
        hit = matched.get(word)
        if hit is None:
            hit = matched[word] = term_of(word) in wanted or bool(
                spellings and not spellings.isdisjoint(word_spelling_keys(word))
            )
        if hit:
            spans.append(m.span())
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", max(spans[0][1], start), end)
        end = space if space > spans[0][1] else end
    parts: list[Markup | str] = [Markup("\u2026 ")] if start else []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[pos:s]))
        parts.append(Markup("<mark>%s</mark>") % text[s:e])
        pos = e
    parts.append(escape(text[pos:end]))
    if end < len(text):
        parts.append(Markup(" \u2026"))
    return Markup("").join(parts), len(spans)
