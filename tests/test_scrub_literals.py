"""The values withheld as typed (names, numbers, contacts, addresses), sought all at once in a
text (``anonymise._LiteralIndex``), leave the text exactly as a pass for each value did, the
longest first: compared over random and hostile texts and values (one value inside another,
values overlapping or side by side, in other cases and scripts, values and replacements that
are parts of each other, invisible characters, letters ``re`` takes for others)."""

from __future__ import annotations

import os
import random
import re
import sys

import pytest

from casework.core.text import visible
from casework.reports import anonymise
from casework.reports.anonymise import (
    CONTACT_WITHHELD,
    NAME_WITHHELD,
    WITHHELD,
    Scrubber,
    _folded,
    _literal,
    _LiteralIndex,
)

# Pieces of values and texts: names in Latin and Cyrillic script and in other cases, letters
# that ``re`` takes for others case-blind (İ, ı and i; ſ and s; ς and σ; the Kelvin sign and
# k; ß and ẞ), numbers, punctuation, the replacements themselves and parts of them.
PIECES = [
    "Farrukh", "FARRUKH", "farrukh", "Umarov", "UMAROV", "Umarova", "Фаррух", "ФАРРУХ",
    "Умаров", "умаров", "Ömer", "ÖMER", "İlhom", "ilhom", "ılhom", "Iskandar", "Kaſym",
    "Kasym", "\u212aasym", "Σίσυφος", "σίσυφος", "ΣΊΣΥΦΟΣ", "Straße", "STRASSE", "STRAẞE",
    "Qoʻqon", "Qo'qon", "G‘ulom", "+7 701 555 0042", "+77015550042", "0042", "555",
    "ул. Абая 12, кв. 5", "Abay avenue 10", "a@b.kz", "[", "]", "[name", "withheld]",
    "withheld", "name withheld", "Person", "AB123", "Person AB123", "held", "ld] [", " ",
    ", ", ". ", "-", "(", ")", "\n", "\u00ad", "\u200b", "e\u0301", "é", "x", "X", "ab",
    "abc", "bcd", "cde", "abcd", "\\", "\\1", "$", "*", ".", "?",
]  # fmt: skip
REPLACEMENTS = [
    WITHHELD, NAME_WITHHELD, CONTACT_WITHHELD, "Person AB123", "Person AB12", "Umarov's friend",
    "", "abc", "[withheld] Farrukh", "ΣΙΣ",
]  # fmt: skip


def passes(literals: list[tuple[str, str]], text: str) -> str:
    """A pass for each value, the longest first: what ``Scrubber.scrub`` did."""
    for value, replacement in sorted(literals, key=lambda lr: -len(lr[0])):
        text = _literal(value).sub(replacement, text)
    return text


def _value(rnd: random.Random) -> str:
    value = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 3)))
    if rnd.random() < 0.3:  # in another case
        value = rnd.choice([str.upper, str.lower, str.title, str.swapcase])(value)
    return value


def _world(seed: int) -> tuple[list[tuple[str, str]], str]:
    rnd = random.Random(seed)
    literals = [(_value(rnd), rnd.choice(REPLACEMENTS)) for _ in range(rnd.randint(1, 40))]
    # Values inside others, overlapping others, and the same value twice.
    for _ in range(rnd.randint(0, 5)):
        value = rnd.choice(literals)[0]
        start = rnd.randrange(len(value))
        part = value[start : start + rnd.randint(1, len(value))]
        literals.append((rnd.choice([part, value, part + _value(rnd)]), rnd.choice(REPLACEMENTS)))
    # A value of invisible characters alone (matched everywhere) is a case of its own below.
    literals = [(v, r) for v, r in literals if visible(v)]
    words = [v for v, _ in literals] + PIECES + [r for r in REPLACEMENTS if r]
    text = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 60)))
    if rnd.random() < 0.3:
        text = rnd.choice([str.upper, str.lower, str.swapcase])(text)
    return literals, visible(text)


@pytest.mark.parametrize("chunk", range(5))
def test_values_sought_at_once_leave_the_text_as_a_pass_for_each_did(chunk):
    for seed in range(chunk * 400, (chunk + 1) * 400):
        literals, text = _world(seed)
        assert _LiteralIndex(literals).replace(text) == passes(literals, text), (seed, literals)


def test_hostile_values_leave_the_text_as_a_pass_for_each_did():
    cases = [
        # A shorter value matching first, a longer one across it: the longer is replaced.
        ([("bcd", "X"), ("ab", "Y")], "abcd abcd"),
        # A value in the replacement of a longer one, and across a replacement and the text.
        ([("Umarov Farrukh", NAME_WITHHELD), ("name", "N"), ("d] F", "!")], "Umarov Farrukh F"),
        ([("Farrukh Umarov", "Person AB123"), ("AB1234", WITHHELD)], "Farrukh Umarov4"),
        ([("Farrukh Umarov", "Person AB123"), ("n AB", "?")], "Farrukh Umarov"),
        # Values side by side, and one made by replacing another.
        ([("aaa", "b"), ("bb", "c"), ("cc", "d")], "aaaaaaaaaaaa"),
        ([("xyz", "xy"), ("yy", "!")], "xyzyz"),
        # A value of invisible characters alone matches everywhere, as before.
        ([("\u200b\u200b\u200b\u200b", CONTACT_WITHHELD), ("ab", "c")], "abab"),
        # Letters taken for others, case-blind.
        ([("İlhom Umarov", NAME_WITHHELD), ("ilhom", "?")], "ILHOM UMAROV, ılhom umarov"),
        ([("Kaſym", NAME_WITHHELD)], "KASYM kasym \u212aasym"),
        ([("ΣΊΣΥΦΟΣ", NAME_WITHHELD)], "σίσυφος σίσυφοσ"),
        ([("Straße", WITHHELD), ("STRASSE", "!")], "STRAẞE strasse"),
        # A replacement with what ``re`` reads in a replacement (a group).
        ([("Umarov", r"\g<0> [withheld]"), ("ov [w", "!")], "Umarov"),
    ]
    for literals, text in cases:
        literals = literals + [(f"filler {n}", WITHHELD) for n in range(anonymise.FEW_LITERALS)]
        assert _LiteralIndex(literals).replace(text) == passes(literals, text), literals


def test_a_scrubbed_text_is_the_same_sought_at_once_or_a_pass_for_each(monkeypatch):
    """The whole of ``scrub`` (names, spellings, generic patterns after the values)."""
    results = []
    for few in (sys.maxsize, 0):  # a pass for each value always, then never
        monkeypatch.setattr(anonymise, "FEW_LITERALS", few)
        scrubbed = []
        for seed in range(300):
            literals, text = _world(seed)
            rnd = random.Random(seed)
            names = {f"name{n}": rnd.choice(PSEUDONYMS) for n in range(rnd.randint(1, 30))}
            text = _initialled(rnd, text, list(names.values()))
            scrubber = Scrubber(literals=literals, names={"umarov": NAME_WITHHELD, **names})
            scrubbed.append(scrubber.scrub(text) + scrubber.scrub(text, generic=False))
        results.append(scrubbed)
    assert results[0] == results[1]


def test_a_value_found_in_a_text_folded_is_every_value_re_matches_in_it():
    """``_folded`` writes alike every two letters ``re`` takes for one case-blind: its lower
    case of a letter (``_sre.unicode_tolower``), and the letters it takes for one with another
    (``re._casefix``), so that the values a text holds are all found."""
    import _sre
    from re import _casefix

    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        letter = chr(code)
        assert _folded(letter) == _folded(chr(_sre.unicode_tolower(code))), hex(code)
    for lower, others in _casefix._EXTRA_CASES.items():
        for other in others:
            assert _folded(chr(lower)) == _folded(chr(other)), hex(lower)
    assert re.fullmatch(re.escape("İ"), "i", re.IGNORECASE) and _folded("İ") == _folded("i")


# Replacements of names: pseudonyms (one the start of another), the name withheld, and
# replacements ``re`` reads otherwise or written with spaces, full stops and capitals.
PSEUDONYMS = [
    "Person AB123", "Person AB12", "Person AB1", "Person CD456", "Person ZZ999", NAME_WITHHELD,
    "[name", "A. Person", "Person A.", " Person EF100", "Person GH200 ", "B.", "X", "",
]  # fmt: skip
# What is written around them: initials of each script, commas, spaces, sentences.
AROUND = [
    "A.", "A.B.", "A. B. ", "А.", "А.Б. ", "Ә.", "K.", " ", ", ", ",", "  ", "\n", ". ",
    "was detained.", "Ab.", "a.", "AB.", "A.B.C.", "1.", "-", "(", ")",
]  # fmt: skip


def _initialled(rnd: random.Random, text: str, replacements: list[str]) -> str:
    """``text`` with ``replacements`` among initials and the like inserted here and there."""
    words = replacements + AROUND
    inserted = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 40)))
    at = rnd.randint(0, len(text))
    return text[:at] + inserted + text[at:]


def around_passes(names: dict[str, str], text: str) -> str:
    """Three passes for each replacement the text holds (longest, then alphabetical, first):
    what ``Scrubber.scrub`` did."""
    held = {r for r in names.values() if r in text}
    for replacement in sorted(held, key=lambda r: (-len(r), r)):
        before, after, repeated = anonymise._around(replacement)
        text = repeated.sub(replacement, after.sub("", before.sub("", text)))
    return text


@pytest.mark.parametrize("chunk", range(5))
def test_initials_and_repeats_sought_where_replacements_are_leave_the_text_as_before(chunk):
    for seed in range(chunk * 400, (chunk + 1) * 400):
        rnd = random.Random(seed)
        names = {f"name{n}": rnd.choice(PSEUDONYMS) for n in range(rnd.randint(1, 40))}
        # Many replacements, beyond the few that are sought with a pass each.
        names |= {f"many{n}": f"Person M{n:03d}" for n in range(anonymise.FEW_LITERALS)}
        text = "".join(
            rnd.choice([*names.values(), *AROUND, "Umarov", "said"])
            for _ in range(rnd.randint(0, 80))
        )
        expected = around_passes(names, text)
        assert Scrubber(names=names)._tidied(text) == expected, (seed, text)


_TIDY_IN_A_PROCESS = """
from casework.reports.anonymise import Scrubber
names = {f"n{k}": f"Person {chr(65 + k)}{chr(65 + k)}{100 + k}" for k in range(%d)}
text = ", A. ".join(names.values()) + " A. " + " and A.B. ".join(reversed(names.values()))
print(Scrubber(names=names)._tidied(text))
"""


@pytest.mark.parametrize("people", [3, 40])
def test_initials_between_two_pseudonyms_go_the_same_way_in_every_process(people):
    """Which of two pseudonyms takes the initials written between them was the order of a
    set, which each process's hash seed draws: the same output came out otherwise from one
    worker to the next. A few pseudonyms (a pass each) and many (sought at once) alike."""
    import subprocess

    outputs = {
        subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
            [sys.executable, "-c", _TIDY_IN_A_PROCESS % people],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(outputs) == 1, outputs
    assert "Person AA100" in outputs.pop()
