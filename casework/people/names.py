"""Names across scripts: romanisation, phonetic folding, matching keys and a similarity score.

One person is "Kholmatov" to a UNHCR clerk, "Xolmatov" in an Uzbek passport, "Холматов" in a
Kazakh court decision and "Ҳолматов" to the family; an Uyghur name is written in Arabic script,
in Cyrillic and in several Latin forms. Every spelling is brought to a plain Latin form
(:func:`romanise`), then folded so that transliteration schemes agree (:func:`phonetic`), then
reduced to a consonant skeleton (:func:`skeleton`) from which the matching keys are built.
Keys only gather candidates; :func:`similarity` ranks them with rapidfuzz and explains why.

Tables here cover only what no library does: Cyrillic letters of Kazakh, Uzbek, Kyrgyz, Tajik
and Uyghur with the values these languages give them, Uyghur Arabic script (UEY) to its Latin
form (ULY), Uzbek Latin apostrophes, and Latin/Cyrillic look-alikes. Anything else goes through
``anyascii``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, islice, permutations, product

from anyascii import anyascii
from rapidfuzz import fuzz

from casework.core.text import visible
from casework.core.vocab import Script

# --- romanisation ---------------------------------------------------------------------------

# Cyrillic (Russian, Kazakh, Uzbek, Kyrgyz, Tajik, Uyghur letters) to Latin.
_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "җ": "j", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "ҡ": "q", "л": "l", "м": "m",
    "н": "n", "ң": "ng", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ў": "o", "ү": "u", "ұ": "u", "ф": "f", "х": "kh", "ҳ": "h", "һ": "h", "ц": "ts", "ч": "ch",
    "ҷ": "j", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ӣ": "i", "ӯ": "u", "ҫ": "s",
}  # fmt: skip

# Uyghur Arabic script (UEY) to Uyghur Latin (ULY), with common Arabic/Persian stand-ins.
_UEY = {
    "ا": "a", "ە": "e", "ب": "b", "پ": "p", "ت": "t", "ج": "j", "چ": "ch", "خ": "x", "د": "d",
    "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "غ": "gh", "ف": "f", "ق": "q", "ك": "k",
    "ک": "k", "گ": "g", "ڭ": "ng", "ل": "l", "م": "m", "ن": "n", "ھ": "h", "و": "o", "ۇ": "u",
    "ۆ": "o", "ۈ": "u", "ۋ": "w", "ې": "e", "ى": "i", "ي": "y", "ی": "i", "ئ": "", "ء": "",
    "ه": "e", "ة": "e", "ح": "h", "ع": "", "آ": "a", "أ": "a", "إ": "i", "ؤ": "u", "ث": "s",
    "ذ": "z", "ص": "s", "ض": "z", "ط": "t", "ظ": "z",
}  # fmt: skip

# Latin letters whose plain ASCII fold would lose a sound (š -> s): Turkish, Czech-style, German.
_LATIN = {
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ğ": "gh", "ǧ": "gh",
    "ı": "i", "ö": "o", "ü": "u", "ä": "a", "ß": "ss", "ñ": "n", "ŋ": "ng", "ə": "a",
}  # fmt: skip

# Look-alike letters, used to repair a word typed with a mixed keyboard layout.
_LAT_TO_CYR = {
    "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "o": "о", "p": "р",
    "t": "т", "x": "х", "y": "у", "i": "і",
}  # fmt: skip
_CYR_TO_LAT = {
    "а": "a", "в": "b", "с": "c", "е": "e", "н": "h", "к": "k", "м": "m", "о": "o", "р": "p",
    "т": "t", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s",
}  # fmt: skip
# Greek letters that look like Latin or Cyrillic ones (capitals, and a few small letters).
_GREEK_TO_LAT = {
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ι": "i", "κ": "k", "ο": "o",
    "ν": "v", "ρ": "p", "υ": "u", "χ": "x",
}  # fmt: skip
_GREEK_TO_CYR = {
    "Α": "А", "Β": "В", "Ε": "Е", "Η": "Н", "Ι": "І", "Κ": "К", "Μ": "М", "Ο": "О", "Ρ": "Р",
    "Τ": "Т", "Υ": "У", "Χ": "Х", "α": "а", "κ": "к", "ο": "о", "ρ": "р", "χ": "х",
}  # fmt: skip
# Cyrillic letters that look like Latin ones only in capitals (В, Н, М, Т, К): a lower-case
# "в" inside a Latin word is a real Cyrillic letter, not a look-alike.
_CYR_LOOKALIKE_LOWER = set("асеокрхуіјѕ")

_APOSTROPHES = "'ʻʼ’‘`´ʹʽ"
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\u200c\u200d]")
_WORD_RE = re.compile(rf"[\w{re.escape(_APOSTROPHES)}]+\.?")


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("CYRILLIC"):
        return "cyr"
    if name.startswith("LATIN"):
        return "lat"
    if name.startswith("ARABIC"):
        return "ara"
    if name.startswith("GREEK"):
        return "grk"
    return ""


def fold_homoglyphs(word: str) -> str:
    """Bring look-alike letters of the word's minority script into its majority script; Greek
    ones in a Latin or Cyrillic word into whichever of the two most of its other letters are."""
    scripts = [_script_of(ch) for ch in word]
    cyr, lat = scripts.count("cyr"), scripts.count("lat")
    if "grk" in scripts and (cyr or lat):
        table = _GREEK_TO_CYR if cyr > lat else _GREEK_TO_LAT
        word = "".join(table.get(ch, ch) for ch in word)
        scripts = [_script_of(ch) for ch in word]
        cyr, lat = scripts.count("cyr"), scripts.count("lat")
    if cyr and lat:
        if cyr > lat:
            return "".join(
                _LAT_TO_CYR.get(ch.lower(), ch) if _script_of(ch) == "lat" else ch for ch in word
            )
        if lat > cyr:
            return "".join(
                _CYR_TO_LAT[ch.lower()]
                if _script_of(ch) == "cyr"
                and ch.lower() in _CYR_TO_LAT
                and (ch.isupper() or ch in _CYR_LOOKALIKE_LOWER)
                else ch
                for ch in word
            )
    return word


def _romanise_word(word: str) -> str:
    word = fold_homoglyphs(word).lower()
    # Uzbek Latin: oʻ / gʻ in every apostrophe variant; other apostrophes are glottal stops.
    word = re.sub(f"([og])[{_APOSTROPHES}]", lambda m: "o" if m.group(1) == "o" else "gh", word)
    word = re.sub(f"[{_APOSTROPHES}]", "", word)
    out = []
    for ch in word:
        if ch in _CYR:
            out.append(_CYR[ch])
        elif ch in _UEY:
            out.append(_UEY[ch])
        elif ch in _LATIN:
            out.append(_LATIN[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(anyascii(ch).lower())
    return re.sub(r"[^a-z]", "", "".join(out))


def romanise(text: str) -> str:
    """Any script to lower-case Latin letters, one space between words (``.`` kept on initials)."""
    return " ".join(w for w, _ in _romanised_words(text))


def _romanised_words(text: str) -> list[tuple[str, bool]]:
    """(word, written as an initial) for each word of ``text``."""
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", visible(text)))
    words = []
    for raw in _WORD_RE.findall(text.replace("_", " ")):
        dotted = raw.endswith(".")
        word = _romanise_word(raw.rstrip("."))
        if word:
            words.append((word, dotted or len(word) == 1))
    return words


# --- typing and scanning slips ----------------------------------------------------------------

# What a scan's text or a hurried typist puts for a letter of a name: a digit (Kh0lmatov,
# Ho1matov, 3арина), a capital I for an l inside a word (KhoImatov) or an l for an initial I
# (lsmoilov), rn for m (Kholrnatov). The outputs read a word so to find a withheld name in it;
# the people matcher keys a name so too, but for rn (Карнаев is a name, and not Камаев).
_DIGIT_LETTERS = {
    "lat": {"0": ("o",), "1": ("l", "i"), "3": ("z",)},
    "cyr": {"0": ("о",), "1": ("і",), "3": ("з",)},
}
_I_FOR_L = re.compile(r"(?<=[^\W\d_])I")
_L_FOR_I = re.compile(r"^l(?=[^\Waeiouy\d_])")
_RN_FOR_M = re.compile("rn")


def digit_readings(token: str) -> list[str]:
    """The words a token of letters and up to three digits 0, 1 and 3 may be, each digit read
    as the letter it looks like in the token's script; none for anything else ("1st", "G20",
    "COVID19")."""
    digits = [ch for ch in token if ch.isdigit()]
    letters = [ch for ch in token if not ch.isdigit()]
    if len(letters) < 3 or len(digits) > 3 or not set(digits) <= {"0", "1", "3"}:
        return []
    cyrillic = sum(unicodedata.name(ch, "").startswith("CYRILLIC") for ch in letters)
    table = _DIGIT_LETTERS["cyr" if cyrillic * 2 > len(letters) else "lat"]
    capitals = all(ch.isupper() for ch in letters)
    options = [
        [letter.upper() if capitals or at == 0 else letter for letter in table[ch]]
        if ch.isdigit()
        else [ch]
        for at, ch in enumerate(token)
    ]
    return ["".join(chosen) for chosen in product(*options)]


def misreadings(word: str, rn_for_m: bool = True) -> list[str]:
    """The words a word of letters may be, each look-alike read as the letter it stands for
    (KhoImatov, lsmoilov, and with ``rn_for_m`` Kholrnatov); none for a word in capitals or
    without one."""
    if word.isupper():
        return []
    readings: list[str] = []
    slips = ((_I_FOR_L, "l"), (_L_FOR_I, "I")) + (((_RN_FOR_M, "m"),) if rn_for_m else ())
    for pattern, letter in slips:
        readings += [pattern.sub(letter, r) for r in [word, *readings] if pattern.search(r)]
    return list(dict.fromkeys(readings))


# A name is keyed under at most this many readings of its slips (each word's readings combined).
_MAX_READINGS = 16


@lru_cache(maxsize=65_536)
def typed_readings(text: str) -> tuple[str, ...]:
    """The other names ``text`` may be if typed or scanned with a slip (Ho1matov AIisher for
    Holmatov Alisher): each word with a digit or a look-alike letter read as the words it may
    be (rn as written), the rest as written; none for a name without a slip."""
    options = []
    for token in _WORD_RE.findall(unicodedata.normalize("NFKC", visible(text)).replace("_", " ")):
        word = token.rstrip(".")
        slips = digit_readings(word) if any(ch.isdigit() for ch in word) else []
        slips += misreadings(word, rn_for_m=False)
        options.append([token, *(slip + token[len(word) :] for slip in slips)])
    if all(len(found) == 1 for found in options):
        return ()
    return tuple(" ".join(chosen) for chosen in islice(product(*options), 1, _MAX_READINGS + 1))


# --- phonetic folding -----------------------------------------------------------------------

# Spellings of one sound that transliteration schemes (English, French, German, Turkish,
# Russian passport, Uzbek and Uyghur Latin) disagree on. Order matters. Upper-case letters are
# placeholders for one sound: C = ch, S = sh.
_FOLDS = (
    ("shch", "S"), ("tsch", "C"), ("dsch", "j"), ("sch", "S"), ("dzh", "j"), ("dj", "j"),
    ("zh", "j"), ("tch", "C"), ("ch", "C"), ("sh", "S"), ("kh", "h"), ("x", "h"), ("gh", "g"),
    ("ck", "k"), ("q", "k"), ("c", "j"), ("w", "v"), ("ph", "f"), ("ou", "u"), ("oo", "u"),
    ("ee", "i"),
)  # fmt: skip
_GERMAN_END = re.compile(r"([aeiou])jev(a?)$")  # Dschurajew -> ...ayev
_GERMAN_WORD = re.compile(r"(ow|ew)a?$")  # Cholmatow, Jusupowa: German transliteration
# "tsch" becomes the placeholder C (ch) at once, so that the "ch" -> "kh" step cannot take it;
# "dsch" the placeholder J (дж), so that the "j" -> "y" step cannot (Chodschajew).
_GERMAN = (("tsch", "C"), ("dsch", "J"), ("sch", "sh"), ("ch", "kh"), ("j", "y"))
_VOWELS = set("aeiouy")


def _german(word: str) -> str:
    for old, new in _GERMAN:
        word = word.replace(old, new)
    return word.replace("J", "j")


# The x of European names is кс (Alexei, Alexander, Olexandr, Maxim), where Uzbek Latin's is х
# (Xolmatov, Raximov, Maxmud): only these stems, at the start of a word.
_X_FOR_KS = re.compile(r"^(alex|olex|maxim)")


@lru_cache(maxsize=65_536)
def phonetic(word: str) -> str:
    """A romanised word folded so that the usual transliterations of a name agree."""
    word = _X_FOR_KS.sub(lambda m: m.group(1).replace("x", "ks"), word)
    if _GERMAN_WORD.search(word):
        word = _german(word)
    # "ch" before a consonant (Bachtijor, Machmud) and "ij" before a vowel are German too, but
    # not after a vowel: Aijan, Aijamal (Kyrgyz Айжан) keep their ж. Before a vowel, "ch" is as
    # often ч (Gulchehra): its х is a spelling form (:func:`spelling_forms`).
    word = re.sub(r"(?<![st])ch(?=[bdfgklmnprstvz])", "kh", word)
    word = re.sub(r"(?<![aeiou])ij(?=[aeiou])", "iy", word)
    # So is "j" between a vowel and a consonant or the end (Sergej, Ujgur, Bajram): й.
    word = re.sub(r"(?<=[aeiou])j(?![aeiouy])", "y", word)
    for old, new in _FOLDS:
        word = word.replace(old, new)
    word = _GERMAN_END.sub(r"\1yev\2", word)
    if word.startswith("ye"):
        word = word[1:]
    if len(word) > 2 and word.endswith("iy"):
        word = word[:-1]
    return re.sub(r"(.)\1+", r"\1", without_final_h(word))


def without_final_h(word: str) -> str:
    """A phonetic word without a final h after a vowel (Abdullah is Abdulla)."""
    if len(word) > 3 and word.endswith("h") and word[-2] in _VOWELS:
        return word[:-1]
    return word


_VOICING = str.maketrans({"b": "p", "d": "t", "g": "k", "z": "s", "v": "f", "C": "S"})


@lru_cache(maxsize=65_536)
def skeleton(word: str) -> str:
    """The consonant skeleton of a phonetic word, voicing folded (final devoicing, o/a, e/i...).

    A word starting with a vowel keeps one ``a`` in front, so "Ilhom" and "Lhom" differ.
    """
    lead = "a" if word[:1] in _VOWELS else ""
    body = "".join(ch for ch in word if ch not in _VOWELS).translate(_VOICING)
    return lead + re.sub(r"(.)\1+", r"\1", body)


# Vowels that transliterations of one name swap: Russian а for o (Кадыров, Qodirov), Uyghur ә
# for e (Мәмәт, Memet), и for ы (Chingiz, Чыңгыз); in a longer word Uzbek ў for у too (Уткир,
# Ўткир), and any vowel after the first of a group (Khodjaïev, Ходжаев).
_SPELLING_VOWELS = str.maketrans({"e": "a", "o": "a", "y": "i"})


def _spelling_keys(word: str, strict: bool) -> set[tuple[str, str, str]]:
    letters = re.sub(r"(.)\1+", r"\1", word.translate(_VOICING))
    shape = re.sub("V+", "V", "".join("V" if ch in _VOWELS else "C" for ch in letters))
    consonants = shape.count("C")
    if len(word) < 4 or consonants < 2:
        return set()
    # The first consonant as spelt, voicing too (Город is not Кайрат); but French ch is sh.
    shape = (word[0].replace("C", "S") if word[0] not in _VOWELS else "") + shape
    skel = skeleton(word)
    # A y between vowels is the glide of a Russian е or я (Aliyeva, Алиева).
    groups = [re.sub(r"(?<=.)y(?=.)", "", g) for g in re.findall("[aeiouy]+", word)]
    if strict or consonants == 2:
        vowels = "-".join(groups).translate(_SPELLING_VOWELS)
        return {(skel, shape, re.sub(r"(.)\1+", r"\1", vowels))}
    if consonants == 3:
        # The first vowel of each group, an o standing for a or u.
        options = [
            ("a", "u") if g[0] == "o" else (g[0].translate(_SPELLING_VOWELS),) for g in groups
        ]
        return {(skel, shape, "".join(v)) for v in product(*options)}
    return {(skel, shape, "")}


# The y of a Russian ё, ю or я after a consonant: a Turkish ö or ü (Гёкче, Gökçe), or no
# sound of its own (Пётр, Petr).
_SOFT_Y = re.compile("(?<=[^aeiouy])y(?=[aeiou])")


@lru_cache(maxsize=65_536)
def spelling_keys(word: str, strict: bool = False) -> frozenset[tuple[str, str, str]]:
    """Loose keys of a phonetic word (and of its :func:`variants`), by which the outputs withhold
    a name in a spelling nobody recorded: the same consonants (voicing folded but for the
    first) with vowels in the same places (Khodjaïev, Xo'jayev and Ҳўжаев; Чыңгыз and
    Chingiz); two spellings of a name share a key. The fewer its consonants, the more its
    vowels must be alike: with three, the first of each group (o for a or u: Ўткир is Уткир,
    Собир Сабир; "Baked" is not Бакыт); with two, or any with ``strict``, each up to o/a/e
    and i/y (Memet is Мәмәт, Omer is not Amir); with ``strict``, a letter stands for no other
    (no :func:`variants`) but as another script's spelling may (:func:`spelling_forms`). A word
    shorter than four letters or with one consonant has none (Ali, Kim). A y after a consonant
    before a vowel, the softness of a Russian ё, ю or я (Гёкче for Gökçe, Гюлер for Güler,
    Пётр for Петр), is read as written and as none."""
    forms = spelling_forms(word, strict)
    forms += tuple(_SOFT_Y.sub("", form) for form in forms if _SOFT_Y.search(form))
    return frozenset(k for v in forms for k in _spelling_keys(v, strict))


# Spellings of a script that other papers use for a name: Turkish writes дж c but ч ç, whose
# cedilla is often lost (Cingiz for Чыңгыз: the key's j may be a ч); German and French papers
# write Х Ch (Chodjaev for Ходжаев; German also inside a word, Ilchom for Ильхом, Muchammad for
# Мухаммад, and at its end, Farruch for Фаррух, where "ch" before a consonant is read as kh
# already: the key's ч before a vowel or at the end may be an х).
# The outputs read every j so; the people matcher only the j of a word written with a c (read
# so, the j of Жураев would gather every Чураев, whom the score would take for him).
_CH_FOR_KH = re.compile("C(?=[aeiou]|$)")


@lru_cache(maxsize=65_536)
def spelling_forms(word: str, strict: bool = False, turkish: bool = True) -> tuple[str, ...]:
    """A phonetic word, unless ``strict`` its :func:`variants`, and the other spellings of a
    script the outputs withhold it in (:func:`spelling_keys`); with ``turkish``, its j as a
    Turkish c for ч too."""
    found = [word] if strict else list(variants(word))
    # One reading or the other, not both in turn: a c read as ç, then as Х, is no spelling.
    found += [w.replace("j", "C") for w in found if turkish and "j" in w] + [
        without_final_h(_CH_FOR_KH.sub("h", w)) for w in found if _CH_FOR_KH.search(w)
    ]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=65_536)
def spelling_skeletons(word: str, strict: bool = False, turkish: bool = True) -> frozenset[str]:
    """The skeletons of a phonetic word's :func:`spelling_forms`: a word without one of them
    in common with a name has no :func:`spelling_keys` in common with it either."""
    return frozenset(s for s in map(skeleton, spelling_forms(word, strict, turkish)) if s)


# Russian writes г for the h of Arabic and Persian names (Ибрагим for Ibrahim, Рагим, Магомед,
# Тагир, Шагида): a g between vowels may stand for h. Only between vowels: a word-initial Г is
# a real g (Галима is not Халима), and the word keeps its g spelling too (Kazakh ғ and Uzbek gʻ
# between vowels are real: Нұрмағамбетов is Нурмагамбетов).
_G_FOR_H = re.compile(r"(?<=[aeiou])g(?=[aeiou])")
# Uyghur, Kazakh and Kyrgyz have no f of their own and write the f of Arabic and Persian names
# p (Perhat is Farhad, Zulpiye Zulfiya, Сапар Safar): a p may stand for f (b stays b).
_P_FOR_F = re.compile("p")
# Russian papers and most passports write the ң of Kazakh (and Uyghur ڭ) н: Жеңіс is Женис and
# Zhenis as well as Zhengis, Теңізбаев Тенизбаев, Қоңыратбаев Коныратбаев. An ng after a vowel
# may stand for n, but not before a, e, o or u, where it is mostly a real н + г (Angela, Inga).
_NG_FOR_N = re.compile(r"(?<=[aeiouy])ng(?![aeou])")
# Kazakh and Russian papers write the h of an Uyghur or Arabic name between vowels й, before
# an и (Абдурейим for Abdurehim, Ибрайим for Ibrahim, Рейим for Rehim): a y between a
# vowel and an i may stand for h.
_Y_FOR_H = re.compile(r"(?<=[aeiou])y(?=i)")
# Turkish writes an h after e before a consonant that Uyghur and Kyrgyz do not say nor write
# (Mehmet is Memet, Мәмәт, Мамыт): such an h may stand for nothing.
_SILENT_H = re.compile("(?<=e)h(?=[bdfgjklmnprstvzCS])")
_VARIANTS = (
    (_NG_FOR_N, "n"),
    (_G_FOR_H, "h"),
    (_P_FOR_F, "f"),
    (_Y_FOR_H, "h"),
    (_SILENT_H, ""),
)
# German writes Й, Ю, Я and an initial Е as J (Julia Iwanowa, Jurij Jakowlew, Jelena), where
# Uzbek, Kazakh Latin, English and French write Ж or Дж so (Jahongir, Jamshid): the initial J
# of some words (see :func:`parse_name`) may stand for Y.
_J_FOR_Y = re.compile(r"^j(?=[aeiou])")


@lru_cache(maxsize=65_536)
def variants(word: str, j_for_y: bool = False) -> tuple[str, ...]:
    """A phonetic word, then the other spellings a letter of it may stand for (ibragim ->
    ibrahim): its keys are stored and looked up under each. ``j_for_y``: an initial J of the
    word may stand for Y (a German J, :func:`parse_name`)."""
    found = [word]
    if j_for_y and _J_FOR_Y.match(word):
        found.append("y" + word[1:])
    for pattern, repl in _VARIANTS:
        found += [pattern.sub(repl, w) for w in found]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=65_536)
def skeletons(word: str, j_for_y: bool = False) -> tuple[str, ...]:
    """The skeletons of a phonetic word and of its :func:`variants`, its own first."""
    return tuple(dict.fromkeys(s for s in map(skeleton, variants(word, j_for_y)) if s))


_SCORE_VOWELS = str.maketrans({"o": "a", "e": "i", "y": "i"})


def _score_form(word: str) -> str:
    return word.translate(_SCORE_VOWELS)


# The Russian ending of a surname (phonetic form): Tajik surnames shed it (Рахмонов -> Rahmon),
# Uyghur ones gain it in Kazakh papers (Imin -> Iminov).
_SURNAME_ENDING = re.compile(r"[oe]va?$")


def _surname_stem(word: str) -> str:
    """A phonetic word without its surname ending (rahmonov -> rahmon), if 3+ letters remain."""
    stem = _SURNAME_ENDING.sub("", word)
    return stem if len(stem) >= 3 else word


# --- patronymics ----------------------------------------------------------------------------

# Separate words that mark the previous word as the father's name (Uzbek, Kazakh, Kyrgyz).
_PATRONYMIC_MARKERS = {
    "ogli", "ugli", "ugly", "ogly", "oglu", "uli", "uly", "ulu", "uulu", "kizi", "kyzy", "kizy",
    "kyzi", "gizi",
}  # fmt: skip
# Endings of a patronymic written as one word (Russian, Kazakh).
_PATRONYMIC_ENDINGS = (
    "ovich", "evich", "ovna", "evna", "ichna", "ogli", "ugli", "ogly", "ugly", "uulu", "kizi",
    "kyzy", "uly",
)  # fmt: skip


def _is_patronymic_marker(word: str) -> bool:
    return word in _PATRONYMIC_MARKERS


def _has_patronymic_ending(*forms: str) -> bool:
    return any(
        form.endswith(end) and len(form) - len(end) >= 3
        for form in forms
        for end in _PATRONYMIC_ENDINGS
    )


# --- parsed names and keys ------------------------------------------------------------------


# In an initial, the letter that stands for Й, Ю or Я: a word starting with one of these sounds
# (Yunus, Юнус, ICAO Iunus), whose skeleton starts as a vowel's does (a).
Y_SOUND = "y"
_Y_START = re.compile(r"y|i[aeou]")


def initial_letters(initial: str) -> set[str]:
    """The first letters of a skeleton an initial may stand for (an initial may stand for
    several: German J for Ж, Дж and for Й, Ю or Я)."""
    return set(initial.replace(Y_SOUND, "a"))


def stands_for(initial: str, word: str) -> bool:
    """Whether an initial may stand for a phonetic word."""
    first = skeleton(word)[:1]
    if Y_SOUND in initial and first == "a":
        return bool(_Y_START.match(word))
    return bool(first) and first in initial


def _same_initial(a: str, b: str) -> bool:
    return bool(initial_letters(a) & initial_letters(b))


@dataclass
class ParsedName:
    """A name as matching sees it: full words (phonetic) and initials, patronymic set apart."""

    words: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)
    patronymic: list[str] = field(default_factory=list)
    # Indexes in ``words`` of the two parts of a double surname (Абдуллаева-Каримова).
    doubles: list[tuple[int, int]] = field(default_factory=list)
    # Words whose initial J may stand for Й, Ю, Я or Е (German: Julia Iwanowa, Jelena).
    j_for_y: set[str] = field(default_factory=set)
    # Words written with a c (not ch, ck) whose j may stand for a Turkish ç (Cingiz).
    c_for_ch: set[str] = field(default_factory=set)
    # Words written with a final kh, x or х after a vowel, which may stand for Russian к
    # (Farrukh, Farrux, Фаррух: Фарук), where the folding drops it (Abdullah is Abdulla).
    kh_for_k: set[str] = field(default_factory=set)

    @property
    def skeletons(self) -> list[str]:
        return [skeleton(w) for w in self.words]

    @property
    def patronymic_initials(self) -> set[str]:
        """First letters of the patronymic (what the second of "Холматов А.Р." stands for)."""
        return {skeleton(w)[:1] for w in self.patronymic if not _is_patronymic_marker(w)}


# "Servant of ..." names that English and Arabic spellings split (Abdul Aziz, Abd al-Aziz).
_ABD = {"abd", "abdu", "abdul", "abdal", "abdel", "abdol", "abdur", "abdus"}
_ARTICLES = {"al", "el", "ul"}


def _join_abd(raw: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Words with an "Abd" word joined to the name after it (not to a surname: Abdul Karimov)."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(raw):
        word, initial = raw[i]
        nxt = i + 2 if i + 2 < len(raw) and raw[i + 1][0] in _ARTICLES else i + 1
        if word in _ABD and nxt < len(raw) and not raw[nxt][1]:
            after = phonetic(raw[nxt][0])
            if _surname_stem(after) == after and not _is_patronymic_marker(after):
                out.append(("".join(w for w, _ in raw[i : nxt + 1]), False))
                i = nxt + 1
                continue
        out.append((word, initial))
        i += 1
    return out


@lru_cache(maxsize=65_536)
def parse_name(text: str) -> ParsedName:
    """Split a name in any script into phonetic full words, initials and patronymic words.

    Cached (an import parses each name several times): treat the result as read-only.
    """
    raw = _join_abd(_romanised_words(text))
    parsed = ParsedName()
    skip: set[int] = set()
    for i, (word, _) in enumerate(raw):
        if _is_patronymic_marker(phonetic(word)):
            skip.add(i)
            if i > 0:
                skip.add(i - 1)
    at: list[int] = []  # where each full word was in the name
    german = any(_german_spelling(w) for w, _ in raw)
    for i, (word, initial) in enumerate(raw):
        folded = phonetic(word)
        if not folded:
            continue
        if i in skip or (not initial and _has_patronymic_ending(word, folded)):
            parsed.patronymic.append(folded)
        elif initial:
            letter = skeleton(folded)[:1] or folded[:1]
            # German J is Й, Ю or Я (Ж is Sch, Дж Dsch); a name may mix spellings: J is Ж too.
            parsed.initials.append(letter + Y_SOUND if german and word[:1] == "j" else letter)
        else:
            parsed.words.append(folded)
            at.append(i)
            # A J written as such (not Zh, Dj) before a vowel: Й, Ю or Я in a name written the
            # German way, Е before e whatever the rest (Jelena, Jekaterina), Ю in Julia.
            if re.match(r"j[aeiou]", word) and (german or word.startswith("je") or j_is_yu(word)):
                parsed.j_for_y.add(folded)
            if _TURKISH_C.search(word):
                parsed.c_for_ch.add(folded)
            if _FINAL_KH.search(word):  # as ``ends_in_kh`` reads a word romanised
                parsed.kh_for_k.add(folded)
    if not parsed.words and parsed.patronymic:
        # Nothing but what looked like a patronymic: it is the name we have.
        parsed.words, parsed.patronymic = parsed.patronymic, []
        return parsed
    parsed.doubles = [
        (n, n + 1)
        for n in range(len(parsed.words) - 1)
        if at[n + 1] == at[n] + 1 and _double_surname(parsed.words[n], parsed.words[n + 1])
    ]
    return parsed


# A c that is no part of ch or ck: Turkish (Cingiz, Camşid), where it is дж, or ç without its
# cedilla, ч (:func:`spelling_forms`).
_TURKISH_C = re.compile("c(?![hk])")
# A final kh or x after a vowel (a romanised х, ҳ is h): Farrukh, Farrux, Фаррух.
_FINAL_KH = re.compile("(?<=[aeiou])(kh|x)$")


@lru_cache(maxsize=65_536)
def ends_in_kh(word: str) -> bool:
    """Whether a word as written ends in kh, x or х after a vowel, which the folding drops
    (:func:`phonetic`) and Russian writes к as often (Farrukh, Farrux, Фаррух: Фарук)."""
    romanised = _romanised_words(word)
    return bool(romanised) and bool(_FINAL_KH.search(romanised[-1][0]))


# Julia (Julija, Juliya, Julian) is Юлия, Юлиан in English and every European spelling, not
# only the German one: no name of the region's own is written Juli- (Yulduz is Юлдуз).
_JULIA = re.compile("juli")


def j_is_yu(word: str) -> bool:
    """Whether the initial J of a romanised word is Ю in any spelling (Julia, Julija, Julian)."""
    return bool(_JULIA.match(word))


# A word ending in ij or ej is German (Jurij, Jewgenij, Sergej) or Slavic Latin: J is Й there.
_J_FOR_Y_END = re.compile(r"[ei]j$")


def _german_spelling(word: str) -> bool:
    """Whether a romanised word is written the German way (Jusupow, Dschurajew, Jurij)."""
    return bool(_GERMAN_WORD.search(word) or "sch" in word or _J_FOR_Y_END.search(word))


def _double_surname(a: str, b: str) -> bool:
    """Two words side by side that are one double surname: both with the Russian ending, of one
    gender (Абдуллаева-Каримова, Kholmatov Nazarov), hyphenated or not."""
    return (
        _surname_stem(a) != a
        and _surname_stem(b) != b
        and a.endswith("a") == b.endswith("a")
        and a != b
    )


# A first name said fondly in Russian (Дилька, Гулька, Дилечка, Гулюшка: "dilka", "guleCka" as
# phonetic words: "dilka", "gulehka", ч before к read as a German ch) is the beginning of the
# name (Диля, Дилноза; Гуля, Гульнара) and an ending: a consonant and -ка, or -очка, -ечка,
# -ушка, -юшка; or a short form (``_SHORT_FORM``). A name ending in a vowel and -ka is none
# (Malika). The pet keys gather by the first letters of a word (``PET_PREFIX``).
_PET_ENDINGS = ("yuSka", "uSka", "eCka", "oCka", "ehka", "ohka")
PET_PREFIX = 3
# The short form a family uses: the name's first syllable and -ля or -ня (Диля of Дилноза,
# Гуля of Гульнара, Зуля of Зульфия: "dilya", "gulya"), a word of five letters and no more.
# Not -ня: Таня is Татьяна, not Танзила.
_SHORT_FORM = re.compile(r"[^aeiouy][aeiouy]lya")


def pet_stem(word: str) -> str | None:
    """The beginning of the name a phonetic word says fondly ("dil" of "dilka"), or None."""
    for ending in _PET_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= PET_PREFIX:
            return word[: -len(ending)]
    if word.endswith("ka") and len(word) - 2 >= PET_PREFIX and word[-3] not in _VOWELS:
        return word[:-2]
    if _SHORT_FORM.fullmatch(word):
        return word[:PET_PREFIX]
    return None


def _pet_keys(groups: list[frozenset[str]], of: Collection[str], alone: bool) -> set[str]:
    """Pet key values of the ``of`` words of a name (``groups``: the skeletons of its words):
    the first letters of one with a skeleton of another word's group, and with ``alone`` (or
    in a name of one word) the first letters alone."""
    keyed = {w[:PET_PREFIX]: skeletons(w)[0] for w in of if len(w) >= PET_PREFIX and skeletons(w)}
    found = set(keyed) if alone or len(groups) < 2 else set()
    return found | {
        f"{prefix}|{other}"
        for prefix, own in keyed.items()
        for group in groups
        if own not in group
        for other in group
    }


# Kinds of matching keys (each is a blind-index purpose of its own).
KEY_PAIR = "pair"  # two full words, any order
KEY_WORD = "word"  # one full word
KEY_INITIAL = "init"  # an initial and a full word
KEY_WRITTEN = "abbr"  # an initial as written in the name and a full word
KEY_PET = "pet"  # the first letters of any word (and another word): found by a pet form
KEY_PET_FORM = "petf"  # the first letters of a pet form (and another word): found by any word


def _pair(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def _word_skeletons(parsed: ParsedName, stems: bool = False) -> list[frozenset[str]]:
    """The skeletons of each distinct word (at most six; with ``stems``, of each without its
    surname ending), variants and the spellings of other scripts included
    (:func:`spelling_skeletons`), a final kh read as к too (Farrukh, Фарук): words of one
    skeleton count once."""
    groups: dict[str, set[str]] = {}
    for written in parsed.words:
        word = _surname_stem(written) if stems else written
        skels = skeletons(word, written in parsed.j_for_y)
        if skels:
            other = spelling_skeletons(word, turkish=written in parsed.c_for_ch)
            as_k = skeletons(word + "k") if written in parsed.kh_for_k else ()
            groups.setdefault(skels[0], set()).update(skels, other, as_k)
    return [frozenset(groups[k]) for k in sorted(groups)[:6]]


def _pairs(groups: list[frozenset[str]]) -> set[str]:
    """Pair keys of two words, one skeleton of each."""
    return {_pair(a, b) for x, y in combinations(groups, 2) for a in x for b in y}


def _with_initial(groups: list[frozenset[str]]) -> set[str]:
    """Initial keys: the first letter of one word and a skeleton of another."""
    return {f"{a[:1]}|{b}" for x, y in permutations(groups, 2) for a in x for b in y}


def _stem_pairs(parsed: ParsedName) -> set[str]:
    """Pair keys of the words with their surname endings dropped."""
    return _pairs(_word_skeletons(parsed, stems=True))


@lru_cache(maxsize=65_536)
def name_keys(text: str) -> frozenset[tuple[str, str]]:
    """The matching keys stored for one name: (kind, normalised value), its
    :func:`typed_readings` included (a name recorded from a scan as Ho1matov is Holmatov)."""
    return _name_keys(text).union(*map(_name_keys, typed_readings(text)))


def _name_keys(text: str) -> frozenset[tuple[str, str]]:
    parsed = parse_name(text)
    groups = _word_skeletons(parsed)
    skels = set().union(*groups)
    keys = {(KEY_WORD, s) for s in skels}
    keys |= {(KEY_PAIR, p) for p in _pairs(groups) | _stem_pairs(parsed)}
    keys |= {(KEY_INITIAL, k) for k in _with_initial(groups)}
    # A name written with initials ("A. Kholmatov") is found by the same initials and, under a
    # kind of its own (not every A-something Kholmatov), by a full name.
    written = {f"{i}|{s}" for n in parsed.initials for i in initial_letters(n) for s in skels}
    keys |= {(KEY_INITIAL, k) for k in written} | {(KEY_WRITTEN, k) for k in written}
    keys |= {(KEY_PET, k) for k in _pet_keys(groups, parsed.words, alone=True)}
    pets = [w for w in parsed.words if pet_stem(w)]
    keys |= {(KEY_PET_FORM, k) for k in _pet_keys(groups, pets, alone=True)}
    return frozenset(keys)


@lru_cache(maxsize=65_536)
def query_keys(text: str) -> frozenset[tuple[str, str]]:
    """The keys to look up for a name typed in a search or an intake form, its
    :func:`typed_readings` included (KhoImatov looks up Kholmatov).

    Two or more full words look up pairs (also without a surname ending: selective) and names
    written with initials; one full word with initials looks up initial keys; a single word
    alone looks up the word.
    """
    return _query_keys(text).union(*map(_query_keys, typed_readings(text)))


def _query_keys(text: str) -> frozenset[tuple[str, str]]:
    """The keys of :func:`_query_keys_of_words`, and those that find a name said fondly: a pet
    form looks up the first letters of every name (Дилька finds Дилноза), any word those of
    the names recorded as pet forms (Дилноза finds Дилька)."""
    parsed = parse_name(text)
    if parsed.initials and len(parsed.words) < 2:
        return _query_keys_of_words(text)
    groups = _word_skeletons(parsed)
    pets = [w for w in parsed.words if pet_stem(w)]
    return _query_keys_of_words(text).union(
        {(KEY_PET, k) for k in _pet_keys(groups, pets, alone=False)},
        {(KEY_PET_FORM, k) for k in _pet_keys(groups, parsed.words, alone=False)},
    )


def _query_keys_of_words(text: str) -> frozenset[tuple[str, str]]:
    parsed = parse_name(text)
    groups = _word_skeletons(parsed)
    skels = set().union(*groups)
    if parsed.doubles and len(parsed.words) == 2 and not parsed.initials:
        # A double surname alone (Абдуллаева-Каримова): each part is a surname of its own.
        return frozenset({(KEY_PAIR, p) for p in _pairs(groups)} | {(KEY_WORD, s) for s in skels})
    if len(groups) >= 2:
        return frozenset(
            {(KEY_PAIR, p) for p in _pairs(groups) | _stem_pairs(parsed)}
            | {(KEY_WRITTEN, k) for k in _with_initial(groups)}
        )
    if skels and parsed.initials:
        return frozenset(
            (KEY_INITIAL, f"{i}|{s}")
            for n in parsed.initials
            for i in initial_letters(n)
            for s in skels
        )
    return frozenset((KEY_WORD, s) for s in skels)


# --- similarity -----------------------------------------------------------------------------

_FEMALE_ENDINGS = ("ova", "eva", "ina", "aya")


def _female_form(word: str) -> bool:
    return word.endswith(_FEMALE_ENDINGS)


# Two words one of which is a German spelling of the other score this (a shared skeleton 92).
SPELLING_WORD = 88.0


def _fondly(pet: str, word: str) -> bool:
    """Whether ``pet`` says ``word`` fondly (dilka: dilya, dilnoza, dileCka)."""
    stem = pet_stem(pet)
    return stem is not None and word != pet and word.startswith(stem)


def _ch_skeletons(word: str) -> frozenset[str]:
    """The skeletons of a word and of its German spelling with ch for х."""
    return spelling_skeletons(word, strict=True, turkish=False)


@lru_cache(maxsize=262_144)
def word_similarity(a: str, b: str, j_for_y_a: bool = False, j_for_y_b: bool = False) -> float:
    """0-100: how alike two phonetic words are (same skeleton counts as nearly the same);
    ``j_for_y_a``, ``j_for_y_b``: an initial J of the word may stand for Y (:func:`variants`)."""
    if a == b:
        return 100.0
    score = fuzz.ratio(_score_form(a), _score_form(b))
    if set(skeletons(a, j_for_y_a)) & set(skeletons(b, j_for_y_b)):
        score = max(score, 92.0)
    elif _fondly(a, b) or _fondly(b, a):
        score = max(score, SPELLING_WORD)
    elif _ch_skeletons(a) & _ch_skeletons(b):
        # One with a German ch for х (Ilchom, Cholmatov): one spelling, by its keys too
        # (:func:`spelling_forms`), though fewer of its letters are alike (Ilchom, Ilkhom: 80).
        score = max(score, SPELLING_WORD)
    if _female_form(a) != _female_form(b) and len(a) > 4 and len(b) > 4:
        score = min(score, 60.0)  # Kholmatov / Kholmatova: relatives, not one person
    if a == _surname_stem(b) or b == _surname_stem(a):
        # Rahmon / Rahmonov: likely one surname, but Karim is also a given name (Rustam Karimov
        # and Karim Rustamov are father and son, not one man).
        score = min(score, 80.0)
    return score


def _initials(
    query: ParsedName, candidate: ParsedName, free: list[str], left: list[str]
) -> tuple[float, float]:
    """(points, weight) the initials of both names add; ``free`` and ``left`` are the words of
    the candidate and of the query that no word of the other matched (``free`` is consumed).

    An initial agreeing with a word or with the initial in the same place counts as half a
    word; one that disagrees counts against. A second initial stands for the patronymic
    ("Холматов А.Р."): if the other name has no patronymic and nothing left, it says nothing.
    """
    points = weight = 0.0
    theirs = dict(enumerate(candidate.initials))
    for n, initial in enumerate(query.initials):
        hit = next((c for c in free if stands_for(initial, c)), None)
        if hit is not None:
            free.remove(hit)
            points += 50.0
        elif n in theirs and _same_initial(theirs[n], initial):
            del theirs[n]
            points += 50.0
        elif initial_letters(initial) & candidate.patronymic_initials:
            points += 50.0
        elif n and not free and not candidate.patronymic and n not in theirs:
            continue
        weight += 0.5
    # The candidate's initials: for a word the query spells out ("A. Kholmatov" for
    # "Alisher Kholmatov"), or for its patronymic.
    for _, initial in sorted(theirs.items()):
        hit = next((q for q in left if stands_for(initial, q)), None)
        if hit is not None:
            left.remove(hit)
            points += 50.0
            weight -= 0.5
        elif query.patronymic_initials:
            points += 50.0 if initial_letters(initial) & query.patronymic_initials else 0.0
            weight += 0.5
    return points, weight


# Two words scoring this or more are one word in two spellings (a shared skeleton scores 92).
SAME_WORD = 90.0


def similarity(query: ParsedName, candidate: ParsedName) -> float:
    """0-100: how likely two parsed names are one person's, whatever the word order."""
    if not query.words or not candidate.words:
        return 0.0
    pairs = sorted(
        (
            (word_similarity(q, c, q in query.j_for_y, c in candidate.j_for_y), qi, ci)
            for qi, q in enumerate(query.words)
            for ci, c in enumerate(candidate.words)
        ),
        reverse=True,
    )
    found: dict[int, tuple[float, int]] = {}  # query word: (score, candidate word)
    for score, qi, ci in pairs:
        if qi in found or any(c == ci for _, c in found.values()):
            continue
        found[qi] = (score, ci)
    # One part of a double surname found and the other not: the other is an extra word, as a
    # word of the candidate the query does not name (Абдуллаева-Каримова is Karimova too).
    extra = {
        qi
        for pair in query.doubles
        for qi, other in (pair, pair[::-1])
        if found.get(qi, (0.0,))[0] < SAME_WORD <= found.get(other, (0.0,))[0]
    }
    for qi in extra:
        found.pop(qi, None)
    used_q = set(found)
    used_c = {ci for _, ci in found.values()}
    total = sum(score for score, _ in found.values())
    free = [c for ci, c in enumerate(candidate.words) if ci not in used_c]
    left = [q for qi, q in enumerate(query.words) if qi not in used_q and qi not in extra]
    points, weight = _initials(query, candidate, free, left)
    total += points
    weight += len(query.words) - len(extra)
    result = total / weight
    # Words of the candidate that nothing in the query accounts for make it a little less sure.
    return max(0.0, result - 4.0 * (len(free) + len(extra)))


@lru_cache(maxsize=262_144)
def text_similarity(query: str, stored: str) -> float:
    """:func:`similarity` of a query name and a stored name as written, or each written with a
    slip as the names it may be (:func:`typed_readings`), the best (cached). Not as written
    then: its digit dropped, Takitur0va would be Takiturva, no woman's name (nor Takiturov's)."""
    return max(
        similarity(parse_name(q), parse_name(s))
        for q in typed_readings(query) or (query,)
        for s in typed_readings(stored) or (stored,)
    )


def name_similarity(a: str, b: str) -> float:
    """Similarity of two names as typed (symmetric: the lower of the two ways), each written
    with a slip read as the names it may be, as :func:`text_similarity` reads them."""
    return min(text_similarity(a, b), text_similarity(b, a))


# --- script and the loose key kept for older callers ----------------------------------------


def detect_script(text: str) -> Script:
    """The script most letters of ``text`` are written in."""
    counts = {Script.LATIN: 0, Script.CYRILLIC: 0, Script.ARABIC: 0}
    for ch in text:
        if not ch.isalpha():
            continue
        uname = unicodedata.name(ch, "")
        if uname.startswith("CYRILLIC"):
            counts[Script.CYRILLIC] += 1
        elif uname.startswith("ARABIC"):
            counts[Script.ARABIC] += 1
        elif uname.startswith("LATIN"):
            counts[Script.LATIN] += 1
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else Script.OTHER


def latin_key(text: str) -> str:
    """A loose Latin key: ``Kholmatov``, ``Xolmatov`` and ``Холматов`` give the same key."""
    return " ".join(phonetic(w) for w, _ in _romanised_words(text))
