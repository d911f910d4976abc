"""What of a person and a case may leave the system: the one consent-aware path of every output.

Every generated output (statistics, exports, submissions, communications, dossiers, archives,
previews) builds its content from ``disclose_case`` and nothing else. Per person:

- consent ``none`` or ``internal``: nothing identifying (no name or other spelling, initials,
  birth date, contacts, UNHCR number, address); only the role in the case;
- ``anonymised``: a stable pseudonym (the same in every output), age band, gender, nationality,
  ethnicity;
- ``named``: the full name as well.

A person flagged *family at risk* never appears by name (a surname points to the relatives) and
without ethnicity; their relatives appear with nothing identifying, whatever their own consent.
Places leave at city level only. Free text (narrative, after return, event descriptions, who
authorised the representation and why it cannot be obtained, other international procedures)
leaves only after someone reviewed it for that output (``OutputReview``), and even then the
names, other spellings, numbers and contacts of every person not named are replaced in it, and
so is the name of who authorised the representation unless the output names them.
"""

from __future__ import annotations

import heapq
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import func, inspect, literal, select, union_all
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from casework.cases.events import agency_label
from casework.cases.models import Case, CasePerson, Event
from casework.cases.services import case_people_with_names
from casework.core import countries
from casework.core.db import db, in_chunks
from casework.core.text import visible
from casework.core.types import PartialDate
from casework.core.vocab import (
    Authorisation,
    CaseRole,
    ConsentLevel,
    GovernmentContact,
    LegalStatus,
    OtherProcedure,
)
from casework.core.words import ordinary_word, place_names, russian_lemmas
from casework.evidence.models import Source
from casework.legal.models import (
    CIVIL_AND_POLITICAL_COVENANT,
    CONVENTION_AGAINST_TORTURE,
    CaseProvision,
    Provision,
    Remedy,
)
from casework.legal.services import remedy_sort_key
from casework.people.models import FamilyLink, Person, PersonMerge, PersonName
from casework.people.names import (
    PET_PREFIX,
    digit_readings,
    ends_in_kh,
    latin_key,
    misreadings,
    pet_stem,
    spelling_keys,
    spelling_skeletons,
)
from casework.reports.models import OutputReview

WITHHELD = "[withheld]"
NAME_WITHHELD = "[name withheld]"
CONTACT_WITHHELD = "[contact withheld]"


class Output(StrEnum):
    """The kinds of output; a free-text review is given for one kind."""

    EXPORT = "export"
    UPR = "upr"
    SPECIAL_PROCEDURES = "special_procedures"
    CAT = "cat"
    HRC = "hrc"
    DOSSIER = "dossier"
    ARCHIVE = "archive"


class Disclosure(StrEnum):
    WITHHELD = "withheld"  # nothing identifying
    PSEUDONYM = "pseudonym"
    NAMED = "named"


# Spellings of a name the people matcher takes for one (``names.variants``, ``parse_name``),
# read as one in the comparison key: the J of Julia is Ю (Юлия), я after и a (Yuliya, Yulia,
# ICAO Iuliia), and a Turkish h after e before a consonant is none (Mehmet is Memet, Мәмәт);
# not before k, where it is the ч of a Russian pet form (Дилечка: "dilehka").
_IYA = re.compile("i[iy]a$")
_KEY_FOLDS = (
    (re.compile("^juli"), "yuli"),
    (_IYA, "ia"),
    (re.compile("(?<=e)h(?=[bdfgjlmnprstvzCS])"), ""),
)


# Words keyed, stemmed or read otherwise, kept for the process: what depends on a word alone is
# worked out once, whichever case's text or people it comes from (an output over a thousand
# cases meets the same words in every one); what a word is replaced with is each scrubber's own.
WORD_CACHE = 65_536


@lru_cache(maxsize=WORD_CACHE)
def name_key(text: str) -> str:
    """The comparison key of a name across scripts and spellings.

    The one place outputs compare names: a better matcher replaces this function only.
    """
    words = latin_key(text).split(" ")
    for pattern, repl in _KEY_FOLDS:
        words = [pattern.sub(repl, word) for word in words]
    return " ".join(words)


# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonOut:
    """A person as an output may show them."""

    label: str
    disclosure: Disclosure
    role: str
    gender: str | None = None
    age_band: str | None = None
    nationality: str | None = None
    ethnicity: str | None = None
    family_at_risk: bool = False
    legal_status: str | None = None  # "Asylum seeker", "Mandate refugee (UNHCR)"; None unknown
    # Not identifying: whether a UN body may contact the government about them.
    government_contact: GovernmentContact = GovernmentContact.NOT_ASKED


def age_band(birth: Any, on: date) -> str | None:
    """A band of ages from a (partial) birth date, never the date itself."""
    year = getattr(birth, "year", None)
    if not year:
        return None
    age = on.year - year
    for upper, label in ((17, "under 18"), (25, "18-25"), (35, "26-35"), (45, "36-45")):
        if age <= upper:
            return label
    return "46-60" if age <= 60 else "over 60"


_PSEUDONYM_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def pseudonym_for(person: Person) -> str:
    """The person's stable pseudonym, assigned (and flushed) the first time it is needed."""
    if person.pseudonym:
        return person.pseudonym
    while True:
        code = "".join(secrets.choice(_PSEUDONYM_LETTERS) for _ in range(2))
        candidate = f"Person {code}{secrets.randbelow(900) + 100}"
        taken = db.session.scalar(select(Person.id).where(Person.pseudonym == candidate))
        if taken is None:
            person.pseudonym = candidate
            db.session.flush()
            return candidate


def disclosure_for(person: Person, relatives_at_risk: set[int], strict: bool = False) -> Disclosure:
    """How far ``person`` may be identified; ``strict`` (an anonymised export) never names."""
    if person.id in relatives_at_risk or person.consent in (
        ConsentLevel.NONE,
        ConsentLevel.INTERNAL,
    ):
        return Disclosure.WITHHELD
    if person.consent == ConsentLevel.NAMED and not person.family_at_risk and not strict:
        return Disclosure.NAMED
    return Disclosure.PSEUDONYM


def person_out(
    person: Person, role: CaseRole, disclosure: Disclosure, on: date | None = None
) -> PersonOut:
    role_label = role.label
    if disclosure == Disclosure.WITHHELD:
        return PersonOut(
            f"{role_label} (identity withheld)",
            disclosure,
            role_label,
            government_contact=person.government_contact,
        )
    label = person.primary_name if disclosure == Disclosure.NAMED else pseudonym_for(person)
    return PersonOut(
        label=label,
        disclosure=disclosure,
        role=role_label,
        gender=person.gender.label if person.gender.value != "unknown" else None,
        age_band=age_band(person.birth_date, on or date.today()),
        nationality=countries.name(person.nationality) if person.nationality else None,
        ethnicity=None if person.family_at_risk else (person.ethnicity or None),
        family_at_risk=person.family_at_risk,
        legal_status=None
        if person.legal_status == LegalStatus.UNKNOWN
        else person.legal_status.label,
        government_contact=person.government_contact,
    )


# --- free text ------------------------------------------------------------------------------

# Inside a word, an apostrophe of any kind Uzbek Latin writes oʻ and gʻ with (U+02BB, U+2019,
# U+0027, U+0060, U+02BC, U+2018, the acute accent), also as a web page escapes it.
_APOSTROPHE = r"(?:['’ʻʼ`‘´ʹʽ]|&#39;|&#x27;|&apos;|&#8217;|&rsquo;|&#8216;|&lsquo;)"
_ESCAPED_APOSTROPHE = re.compile(r"&(?:#39|#x27|apos|#8217|rsquo|#8216|lsquo);")
_WORD = re.compile(rf"[^\W\d_]+(?:(?:{_APOSTROPHE}|-)[^\W\d_]+)*")
# A hash in hexadecimal (a document's SHA-256, as the team's print shows it; MD5, SHA-1,
# SHA-512), taken whole before its words: its letters are no name ("abed" of a withheld Abed in
# "3abed9..."). Of a hash's length exactly, with a digit: a name glued to one is no hash.
_DIGEST = (
    r"(?<![^\W_])(?=[a-fA-F]*\d)(?:[\da-fA-F]{128}|[\da-fA-F]{64}|[\da-fA-F]{40}|[\da-fA-F]{32})"
)
_DIGEST_OR_WORD = re.compile(rf"(?P<digest>{_DIGEST}(?![^\W_]))|{_WORD.pattern}")
_LETTERS = re.compile(r"[^\W\d_]+")
# A word hyphenated at the end of a line ("Хол-" then "матов"), as a PDF or a scan's text
# breaks it: one word when joined.
_BROKEN_WORD = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-[ \t]*\r?\n[ \t]*([^\W\d_]+)")
# Each starts only where its first run starts: inside a long word (a pasted blob), trying
# every position would take time growing with the square of its length.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An address down to the house, wherever free text gives one ("ул. Абая 12, кв. 5", "улица
# Абая, дом 12", "мкр. Самал-2, д. 15", "Abay avenue 10", "Amir Temur ko'chasi 12", "дом 12
# по улице Абая"): where someone lives or hides. A street named without a number stays.
# Each part of the pattern matches one way only (words end at a space or a comma, a number is
# a digit and what follows it): a long text never sends it through every way of splitting.
_NAME_WORD = r"[^\W\d_][\w'’ʻ-]*\.?[\s,]+"
_NUMBER = r"\d[\w/-]*"
_FLAT = rf",?\s*(?:кв|квартира|apt|flat)\.?\s*{_NUMBER}"
_HOUSE = rf"(?:(?:д|дом|house|uy)\.?\s*)?{_NUMBER}(?:{_FLAT})?"
_ADDRESS = re.compile(
    rf"\b(?:ул|улица|пр|проспект|пр-т|пер|переулок|мкр|мкр-н|микрорайон|бульвар|б-р)\.?\s+"
    rf"(?:{_NAME_WORD}){{1,4}}?{_HOUSE}"
    rf"|\b(?:д|дом|house)\.?\s*{_NUMBER}(?:{_FLAT}|\s+по\s+(?:ул|улице)\.?\s+[^\W\d_]+)",
    re.IGNORECASE,
)
# The street's name before its kind ("Abay avenue 10", "Абай көшесі 45"): capitalised words.
_CAPITAL = "[A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲ]"
_CAPITALISED = rf"{_CAPITAL}[\w'’ʻ-]*\.?\s+"
# One to three initials, as written before or after a surname ("A.", "A.B.", "А. Б.").
_INITIALS = rf"(?:{_CAPITAL}\.\s?){{0,2}}{_CAPITAL}\."
_ADDRESS_NAME_FIRST = re.compile(
    rf"\b(?:{_CAPITALISED}){{1,3}}(?i:street|st\.|avenue|ave\.|road|lane|boulevard|"
    rf"ko['ʻ’‘]?chasi|көшесі|даңғылы)[\s,]*(?i:{_HOUSE})"
)
# A street without its kind ("Абая 12") where the text says it is an address ("по адресу:",
# "Address:") or a flat follows the house ("Абая 12, кв. 5"). The words that say so stay.
_ADDRESS_CUED = re.compile(
    rf"(?P<cue>\b(?i:по\s+адресу|адрес|address)[:\s]+)"
    rf"{_CAPITAL}[\w'’ʻ-]*\.?[\s,]+(?:{_NAME_WORD}){{0,4}}?(?i:{_HOUSE})"
)
_ADDRESS_FLAT = re.compile(rf"\b(?:{_CAPITALISED}){{1,3}}{_NUMBER}(?i:{_FLAT})")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_DATE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")
# The vowels of a comparison key.
_VOWELS = frozenset("aeiouy")
# Russian and Central Asian case endings after a name ("Холматова", "Kholmatovu").
# Endings a name takes in a sentence, after its comparison key: Russian cases and plurals
# ("Холматовых", "Юсуповой"), English plurals ("the Kholmatovs"), Uzbek and Kazakh suffixes
# ("Xolmatovlar", "Xolmatovning"). A stem must itself be a withheld name part of four letters
# or more: what is scrubbed too much is a word, what is scrubbed too little is a person.
_ENDINGS = (
    "a", "u", "e", "y", "i", "s", "es", "om", "im", "ym", "oi", "ei", "oy", "ogo", "omu", "ov",
    "ova", "ykh", "ymi", "ami", "am", "akh", "ah", "lar", "ler", "lari", "ning", "nin", "ni",
    "ga", "ge", "ka", "ke", "da", "de", "ta", "te", "dan", "den", "tan", "ten", "em",
    # A patronymic names the father ("Алишерович", "Alisherovna": of Alisher), an Uzbek "-jon"
    # or "-xon", a Kazakh or Kyrgyz "-жан" or "-бек" is a name said fondly ("Alisherjon",
    # "Gulnoraxon", "Алишерджан", "Alisherbek"), an adjective of a surname is the family's
    # ("Холматовская"). Keys spell ч C and х h.
    "oviC", "eviC", "iC", "ovna", "evna", "ovny", "evny", "jon", "hon", "jan", "bek", "ski",
    "skoe", "skaya", "skogo", "skoi",
    # Kazakh, Kyrgyz and Uyghur cases (ң is ng, or n as ń): of (Қасымовтың, Нурландын), the
    # object (Қасымовты), from (Нұрланнан, Ömirbekdin), with (Қасымовпен), the plural.
    "nyng", "tyng", "dyng", "ting", "ding", "nyn", "tyn", "dyn", "tin", "din", "nun", "tun",
    "dun", "ny", "ty", "dy", "ti", "di", "nu", "tu", "du", "go", "ko", "do", "to", "nan",
    "nen", "don", "ton", "men", "pen", "ben", "dar", "der", "tar", "ter",
    # The Uyghur particle -مۇ, "also", glued to a word (تۇرسۇنمۇ, تۇرسۇننىڭمۇ).
    "mu",
)  # fmt: skip
# Kazakh endings after a possessive's -ы (Серікұлы, Маратқызы: son, daughter of Серік, Марат):
# to (Серікұлына), at (Серікұлында), the object (Серікұлын); the stem keeps its -ы.
_AFTER_POSSESSIVE = ("na", "nda", "n")


# A word with a digit for a letter of a name (Kh0lmatov, Ho1matov, 3арина): read as the letters
# it may be (``names.digit_readings``) only to find a withheld name in it.
_WITH_DIGITS = re.compile(r"(?<![\w-])(?=[^\W_]*[^\W\d_])[^\W_]*[013][^\W_]*(?![\w-])")
# Russian endings that make a first name fond, on the name cut short after a consonant
# ("Алишка", "Алишик" of Alisher, "Рустик" of Rustam) or whole ("Рустамчик"); keys spell ч C
# and ш S.
_FOND = ("ka", "ik", "Cik", "oCka", "eCka", "uSka", "enka", "onka", "uSa")
# A short form of a first name (Гуля, ``names.pet_stem``) in its Russian cases: Гули, Гуле,
# Гулю, Гулей.
_SHORT_FORM_CASES = re.compile(r"([^aeiouy][aeiouy]l)(?:yu|yey|ey|ei|i|e)")
# A name cut short keeps four letters or more of it, and half of it or more (not "Taj" of
# Tajibayev in "Tajik", nor "Restr" of Restrictedov in "Restrike").
_FOND_STEM = 4


@lru_cache(maxsize=WORD_CACHE)
def _run_together(run: str) -> tuple[str, ...]:
    """The words of a run of letters written together, each from a capital after a small
    letter ("AlisherKholmatov", "АлишерҚодиров"): any script with capitals."""
    parts = [run[:1]]
    for previous, letter in zip(run, run[1:], strict=False):
        if letter.isupper() and previous.islower():
            parts.append(letter)
        else:
            parts[-1] += letter
    return tuple(parts)


# Values withheld as typed (names, numbers, contacts): an output over a thousand cases seeks
# thousands, more than ``re`` keeps compiled, each in every text of its case and again in the
# next output.
LITERAL_CACHE = 8192


@lru_cache(maxsize=LITERAL_CACHE)
def _literal(value: str) -> re.Pattern[str]:
    """The pattern of a value withheld as typed, in any case."""
    return re.compile(re.escape(visible(value)), re.IGNORECASE)


def _longest_first(literal: tuple[str, str]) -> int:
    return -len(literal[0])


def _by_length_then_text(replacement: str) -> tuple[int, str]:
    return -len(replacement), replacement


def _folded(text: str) -> str:
    """``text`` with the letters ``_literal`` takes for one (its case-blind match: ``re`` takes
    two letters for one when their lower cases are one, or have one upper case, as ı and i, ſ
    and s, ς and σ) written alike, letter by letter: if a value matches a part of a text, the
    value folded is in the text folded. İ's lower case is i for ``re`` (``str.lower`` adds a
    dot)."""
    return text.replace("\u0130", "i").lower().upper()


# A text is scrubbed with a pass for each value withheld as typed (and three for each
# replacement of a name it holds) up to this many; beyond, the values (the replacements) it
# holds are sought all at once first (``_LiteralIndex``, ``Scrubber._tidied``).
FEW_LITERALS = 8
# How many letters of each string sought all at once the pattern seeking them holds; the rest
# of a longer one is compared where its first letters are found.
_HEAD = 24


@lru_cache(maxsize=16)
def _heads_pattern(heads: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern of all ``heads``, as a tree of their letters, that finds at each place of a
    text the longest head there (and so each head it begins with): at each place it tries the
    letters there, not every head. Kept for the next text and the next output, which withhold
    the same values."""
    tree: dict[str, dict] = {}
    for head in heads:
        node = tree
        for letter in head:
            node = node.setdefault(letter, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(letter) + pattern(rest) for letter, rest in node.items() if letter]
        if not branches:
            return ""
        either = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{either})?" if "" in node else either

    return re.compile(f"(?=({pattern(tree)}))")


class _Seeker:
    """Strings sought in a text all at once, however many: one pass of one pattern of their
    beginnings (``_heads_pattern``), then a comparison of the longer ones where theirs are."""

    def __init__(self, strings: Iterable[str]) -> None:
        self.short: set[str] = set()
        self.long: dict[str, list[str]] = {}  # a head -> the longer strings it begins
        for string in set(strings) - {""}:
            if len(string) <= _HEAD:
                self.short.add(string)
            else:
                self.long.setdefault(string[:_HEAD], []).append(string)
        self.pattern = _heads_pattern(tuple(sorted(self.short | self.long.keys())))
        self._begun: dict[str, list[str]] = {}  # a head -> the short strings it begins with

    def _begins_with(self, head: str) -> list[str]:
        if head not in self._begun:
            starts = (head[:end] for end in range(1, len(head) + 1))
            self._begun[head] = [start for start in starts if start in self.short]
        return self._begun[head]

    def found(self, text: str) -> set[str]:
        """The strings ``text`` holds."""
        found: set[str] = set()
        for head in set(self.pattern.findall(text)):
            found.update(self._begins_with(head))
            found.update(string for string in self.long.get(head, ()) if string in text)
        return found

    def places(self, text: str) -> Iterator[tuple[int, str]]:
        """Where ``text`` holds each string (overlapping ones too), and which."""
        for match in self.pattern.finditer(text):
            at, head = match.start(), match.group(1)
            yield from ((at, string) for string in self._begins_with(head))
            for string in self.long.get(head, ()):
                if text.startswith(string, at):
                    yield at, string


class _LiteralIndex:
    """The values a scrubber withholds as typed, in the order they are replaced (the longest
    first), and which of them a text may hold, found in one pass over it however many values
    there are. A value is replaced in a pass of its own, in that order, only if the text holds
    it: the text is what a pass for each value would make of it, at the cost of the values it
    holds."""

    def __init__(self, literals: list[tuple[str, str]]) -> None:
        self.order = sorted(literals, key=_longest_first)
        self.forms: dict[str, list[int]] = {}  # a value folded -> its places in ``order``
        for i, (value, _) in enumerate(self.order):
            self.forms.setdefault(_folded(visible(value)), []).append(i)
        # A value of invisible characters alone is found everywhere, as its pattern is.
        self.everywhere = set(self.forms.get("", ()))
        self.seeker = _Seeker(self.forms)
        self._apart_of: dict[str, bool] = {}  # ``_apart`` of each replacement
        self._joined: str | None = None

    def found(self, text: str) -> set[int]:
        """The values (by their place in ``order``) whose folded form is in ``text`` folded:
        every value that matches a part of it, and perhaps others."""
        found = set(self.everywhere)
        for form in self.seeker.found(_folded(text)):
            found.update(self.forms[form])
        return found

    def replace(self, text: str) -> str:
        """``text`` with each value it holds replaced, the longest first."""
        pending = sorted(self.found(text))
        queued = set(pending)
        while pending:
            i = heapq.heappop(pending)
            value, replacement = self.order[i]
            text, replaced = _literal(value).subn(replacement, text)
            if replaced and not self._apart(replacement):
                for j in self.found(text):
                    if j > i and j not in queued:
                        queued.add(j)
                        heapq.heappush(pending, j)
        return text

    def _apart(self, replacement: str) -> bool:
        """Whether no value can be matched in a part of a text that takes in some of
        ``replacement`` (so a value the text did not hold, it does not hold once replaced): no
        value is a part of it, nor holds it, begins with its end or ends with its beginning
        (folded). A replacement ``re`` reads (a group: a backslash) may be anything."""
        if replacement not in self._apart_of:
            folded = _folded(replacement)
            values = self._values()
            self._apart_of[replacement] = not (
                "\\" in replacement
                or self.everywhere
                or self.found(replacement)
                or folded in values
                or any(f"{folded[:end]}\0" in values for end in range(1, len(folded)))
                or any(f"\0{folded[start:]}" in values for start in range(1, len(folded)))
            )
        return self._apart_of[replacement]

    def _values(self) -> str:
        """Every value folded, each between two NUL characters."""
        if self._joined is None:
            self._joined = "\0" + "\0".join(self.forms) + "\0"
        return self._joined


@lru_cache(maxsize=LITERAL_CACHE)
def _around(replacement: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """What goes with a withheld name once replaced (a pseudonym each person): initials before
    or after it ("A.B. Kholmatov", "Kholmatov, A."), the person's; and the replacement again
    ("[name withheld] [name withheld]", a first name and a surname), which reads as one."""
    name = re.escape(replacement)
    return (
        re.compile(rf"(?<![\w.]){_INITIALS}\s?(?={name})"),
        re.compile(rf"(?<={name}),?\s+{_INITIALS}(?![^\W\d_])"),
        re.compile(rf"{name}(?:\s*{name})+"),
    )


def _without_around(replacement: str, text: str) -> str:
    before, after, repeated = _around(replacement)
    return repeated.sub(replacement, after.sub("", before.sub("", text)))


@lru_cache(maxsize=16)
def _replacements_seeker(replacements: tuple[str, ...]) -> _Seeker:
    """The replacements of a scrubber's names sought all at once; kept for the next text and
    the next output, which give the same people the same pseudonyms."""
    return _Seeker(replacements)


_INITIAL_BEFORE = re.compile(rf"{_CAPITAL}\.\s?")
_INITIALS_AFTER = re.compile(rf",?\s+{_CAPITAL}\.")
_SPACES = re.compile(r"\s*")


def _near(text: str, seeker: _Seeker) -> set[str]:
    """The replacements of names (``seeker``'s) that ``_around`` may find something with in
    ``text``, and perhaps others: each written right after what may be initials ("A.",
    perhaps then a space), before what may be initials (",? A."), or before itself again,
    after spaces or none; and an empty one, which is everywhere."""
    near = {""}
    for at, replacement in seeker.places(text):
        end = at + len(replacement)
        spaces = _SPACES.match(text, end).end()
        if (
            _INITIAL_BEFORE.fullmatch(text, max(0, at - 2), at)
            or _INITIAL_BEFORE.fullmatch(text, max(0, at - 3), at)
            or _INITIALS_AFTER.match(text, end)
            or any(text.startswith(replacement, k) for k in range(end, spaces + 1))
        ):
            near.add(replacement)
    return near


@lru_cache(maxsize=WORD_CACHE)
def _misreadings(word: str) -> tuple[str, ...]:
    """``names.misreadings`` of a word of free text."""
    return tuple(misreadings(word))


_VOWEL_H = re.compile("[aeiou]h$")
_VOWEL_K = re.compile("[aeiou]k$")
# Keys of one name that its spellings give apart: Russian writes the s-h of Ishaq (two sounds)
# сх, keyed s-h, where Latin papers write sh, keyed as ш (S); a Turkish text that lost the
# cedilla of ş writes s (Abduresit for Abdureşit, Sakenov for Şäkenov). Sought as they are
# and with endings, never loosely (spelt loosely, a name's s for ş is half of English), but
# for an Uzbek o, which Russian writes а (Is'hoq, Исҳоқ for Исхак), and a Turkish e, which
# Russian and Uzbek write а (Gülşen, Gulsen for Гульшан, Gulshan): compared with o and e read a.
_OTHER_SPELLINGS = (("sh", "S"), ("S", "sh"), ("S", "s"))
_O_E_AS_A = str.maketrans("oe", "aa")
# A name recorded without its cedilla (Gulsen, Sakenov) is written with ş, ш or sh elsewhere
# (Gülşen, Гульшан, Шакенов): any of its s may be one. Read so for a word that may be a name
# only (one with an sh in it, capitalised or no ordinary word), and for a name of four letters
# or more, as a loose spelling is (Sam is not Sham): an English s is no ş.
_LOST_CEDILLAS = 3  # the most s of a recorded name read so, in every combination


def _with_sh(part: str) -> set[str]:
    """``part`` with one or more of its first s read as ш (S), o and e read a."""
    places = [i for i, letter in enumerate(part) if letter == "s"][:_LOST_CEDILLAS]
    found = set()
    for chosen in range(1, 2 ** len(places)):
        letters = list(part)
        for bit, at in enumerate(places):
            if chosen >> bit & 1:
                letters[at] = "S"
        found.add("".join(letters).translate(_O_E_AS_A))
    return found


@lru_cache(maxsize=WORD_CACHE)
def _stems(key: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The stems of a word's key a name may be followed by endings after: each with one ending
    off, and the ending (a stem may be a woman's name without its -a: "Юсуповой" is Yusupov-oy,
    of Yusupova); and every stem of four letters or more with up to two endings off
    ("Xolmatovlarning": -lar, -ning), the longest first."""
    first = {key[: -len(e)]: e for e in _ENDINGS if key.endswith(e)}  # stem: ending
    first |= {
        key[: -len(e)]: e
        for e in _AFTER_POSSESSIVE
        if key.endswith(e) and key[: -len(e)][-1:] == "y"
    }
    # An ending's first letter after the same one is a double letter the key writes once
    # (Нұрланнан, Ömirbekke): the stem keeps it.
    first |= {stem + e[0]: e for stem, e in list(first.items()) if stem[-1:] != e[0]}
    # A stem ending in -iya (Әлия-ны, Aliya-dan) is keyed -ia, as the name alone is.
    first |= {_IYA.sub("ia", stem): e for stem, e in list(first.items()) if _IYA.search(stem)}
    stems = set(first)
    # A second ending off keeps a double letter too (تۇرسۇننىڭمۇ: Tursun-ning-mu).
    second = {(stem[: -len(e)], e) for stem in first for e in _ENDINGS if stem.endswith(e)}
    stems |= {stem for stem, _ in second}
    stems |= {stem + e[0] for stem, e in second if stem[-1:] != e[0]}
    # A key drops a final х after a vowel (Фаррух, Farrukh: "faru"), which an ending keeps
    # in the word's key (Фарруха: "faruha"): the stem without it is the name's key too.
    stems |= {stem[:-1] for stem in stems if stem[-1:] == "h" and stem[-2:-1] in _VOWELS}
    longest_first = tuple(s for s in sorted(stems, key=len, reverse=True) if len(s) >= 4)
    return tuple(first.items()), longest_first


def _may_be_a_name(word: str) -> bool:
    """Whether a word of free text may be a name spelt otherwise than recorded: written with a
    capital (or in a script without capitals, as Uyghur's Arabic), not an acronym ("IDOR")."""
    first = word[:1]
    if first.lower() == first.upper():
        return True
    return first.isupper() and not (word.isupper() and len(word) <= 4)


def _capitalised_name(word: str) -> bool:
    """Whether a word in capitals reads as a name (UMAROV, ҚАСЫМОВ), not an acronym (KNB,
    ГКНБ, UNHCR, OSCE): five letters or more, two of them vowels."""
    key = name_key(word).replace(" ", "")
    return len(key) >= 5 and sum(ch in "aeiouy" for ch in key) >= 2


def name_parts(name: str) -> list[str]:
    """The keys by which a name is withheld word by word: each part, and each run of letters
    ("G'ulom" is also "ulom" once escaped in HTML), of three letters or more."""
    name = visible(name)
    parts = name_key(name).split() + [name_key(run) for run in _LETTERS.findall(name)]
    return [part.replace(" ", "") for part in parts if len(part) >= 3]


# Words that say who gave an authorisation, or who a protected source is, without naming anyone
# ("The person themselves", "His brother", "Адвокат", "Former cellmate"), by comparison key:
# written with a capital at the start of the field, they are no name to take out of every text.
_NOT_A_NAME = frozenset(
    name_key(word).replace(" ", "")
    for word in (
        "the", "his", "her", "their", "himself", "herself", "themselves", "person", "victim",
        "applicant", "author", "complainant", "family", "relative", "brother", "sister",
        "mother", "father", "son", "daughter", "wife", "husband", "uncle", "aunt", "cousin",
        "lawyer", "counsel", "advocate", "representative", "guardian", "through", "signed",
        "orally", "written", "writing", "letter", "phone", "power", "attorney", "for", "from",
        "сам", "сама", "сами", "лично", "его", "её", "ее", "их", "через", "брат", "сестра",
        "мать", "отец", "сын", "дочь", "жена", "муж", "дядя", "тётя", "тетя", "родственник",
        "родственница", "семья", "адвокат", "юрист", "защитник", "представитель",
        "доверенность", "заявитель", "заявительница", "жертва", "потерпевший", "потерпевшая",
        # How a source is described ("His brother", "Former cellmate", "Сосед по камере").
        "she", "him", "them", "they", "our", "my", "former", "neighbour", "neighbor", "friend",
        "colleague", "cellmate", "witness", "journalist", "detainee", "fellow", "employee",
        "она", "они", "мой", "моя", "наш", "наша", "бывший", "бывшая", "сосед", "соседка",
        "друг", "подруга", "знакомый", "знакомая", "коллега", "сокамерник", "свидетель",
        "свидетельница", "журналист", "журналистка",
    )
)  # fmt: skip


@dataclass
class Scrubber:
    """Replaces, in free text, the names and details of everyone who is not to be named."""

    names: dict[str, str] = field(default_factory=dict)  # name-part key -> replacement
    literals: list[tuple[str, str]] = field(default_factory=list)  # exact value -> replacement
    # Name-part keys of the people the output names: never taken for another's spelling.
    kept: set[str] = field(default_factory=set)
    # Words already looked up (a text repeats its words): word -> replacement or None.
    _seen: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    # ``names`` by their loose spelling keys (``names.spelling_keys``), built from ``names``.
    _spellings: dict[Any, str] = field(default_factory=dict, repr=False, compare=False)
    _shortened: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # ``names`` by their first letters, for a pet form (built with ``_spellings``).
    _starts: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # ``names`` by the keys the other spellings of their sh give (``_OTHER_SPELLINGS``).
    _others: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # ``names`` recorded with an s, by the keys their s read as ш gives (``_with_sh``).
    _with_sh: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _spellings_of: int = field(default=-1, repr=False, compare=False)
    # ``literals`` sought all at once (built again when a value is added).
    _index: _LiteralIndex | None = field(default=None, repr=False, compare=False)
    _index_of: int = field(default=-1, repr=False, compare=False)

    def _withhold(self, value: str | None, replacement: str) -> None:
        """Withhold ``value`` as typed, if anything of it shows: one of invisible characters
        only would be sought as the empty text, found between every two letters."""
        if value and visible(value).strip():
            self.literals.append((value.strip(), replacement))

    def add_person(
        self, person: Person, disclosure: Disclosure, keep: frozenset[str] = frozenset()
    ) -> None:
        """``person``'s numbers, address and contacts, and unless named, their names: each
        whole, and each part across scripts and endings, but for the parts in ``keep`` (the
        name keys of those the output names: a relative's surname is often theirs too)."""
        self._seen.clear()
        self._spellings_of = -1  # a word looked up before may be this person's name
        for value in (person.unhcr_number, person.address):
            self._withhold(value, WITHHELD)
        # Parts of an address typed on their own ("Abay avenue 10"): any with a number in it.
        for part in re.split(r"[\n,;]+", person.address or ""):
            if len(visible(part).strip()) >= 5 and any(ch.isdigit() for ch in part):
                self._withhold(part, WITHHELD)
        for value in re.split(r"[\n,;]+", person.contacts or ""):
            if len(visible(value).strip()) >= 4:
                self._withhold(value, CONTACT_WITHHELD)
        if disclosure == Disclosure.NAMED:
            return
        replacement = pseudonym_for(person) if disclosure == Disclosure.PSEUDONYM else NAME_WITHHELD
        for name in person.names:  # hidden names too: they are still this person's names
            parts = name_parts(name.name)
            if not set(parts) <= keep:
                self._withhold(name.name, replacement)
            for part in parts:
                if part not in keep:
                    self.names.setdefault(part, replacement)

    def add_source(self, identity: str | None) -> None:
        """A protected source's identity as typed ("Farrukh Umarov, KNB insider"): the whole of
        it, and each of its capitalised words as a name across scripts and spellings (not an
        acronym such as "KNB", nor a word such as "insider" or "His brother", which say nothing
        of who: ``_NOT_A_NAME``); a word
        in capitals is a surname so typed ("UMAROV Farrukh") when it reads as a name. A script
        without capitals (Arabic, for Uyghur) tells no name from a word: each word is one."""
        if not identity or not identity.strip():
            return
        self._seen.clear()
        self._spellings_of = -1
        self._withhold(identity, NAME_WITHHELD)
        # "His brother": the whole is withheld, but "his" and "brother" name no one and stay.
        self._add_name_words(identity, _NOT_A_NAME)

    def add_authoriser(self, typed: str | None, keep: frozenset[str]) -> None:
        """Who gave the victim's authorisation, as typed ("His brother Farkhod Osmonov", "The
        person themselves", "Lawyer Bakhrom Toshev"): the name of someone who may be no person
        of the case, so who consented to nothing. Its name words are withheld as a protected
        source's are, but for the parts in ``keep`` (of those the output names) and the words
        that say who without naming (``_NOT_A_NAME``), which stay in every text."""
        if not typed or not typed.strip():
            return
        self._seen.clear()
        self._spellings_of = -1
        self._add_name_words(typed, keep | _NOT_A_NAME)

    def _add_name_words(self, typed: str, keep: frozenset[str]) -> None:
        """Each capitalised word of ``typed`` (a word in capitals only when it reads as a name)
        as a name to withhold, across scripts and spellings; a script without capitals tells no
        name from a word: each word is one."""
        for word in _WORD.findall(visible(typed)):
            if word[0].islower() or (word.isupper() and not _capitalised_name(word)):
                continue
            for part in [name_key(word)] + [name_key(run) for run in _LETTERS.findall(word)]:
                part = part.replace(" ", "")
                if len(part) >= 3 and part not in keep:
                    self.names.setdefault(part, NAME_WITHHELD)

    def _name_match(self, word: str) -> str | None:
        if word not in self._seen:
            found = self._look_up(word)
            for reading in _misreadings(word) if found is None else ():
                found = self._look_up(reading)
                if found is not None:
                    # Unless it is a word as written ("Earner" is not "Eamer", of Omar).
                    found = None if ordinary_word(word) else found
                    break
            if found is not None and self._town(word):
                found = None
            self._seen[word] = found
        return self._seen[word]

    def _town(self, word: str) -> bool:
        """Whether ``word``, found as a name with an ending or spelt otherwise, is a town that
        begins as a name does (Алматы, of Алма) and no form of a withheld name (Астана is one
        of Астан's)."""
        if self._key(word) in self.names:
            return False
        names = place_names(word)
        return names is not None and not any(self._key(name) in self.names for name in names)

    @staticmethod
    def _key(word: str) -> str:
        return name_key(word).replace(" ", "")

    def _look_up(self, word: str) -> str | None:
        key = self._key(word)
        if key in self.names:
            return self.names[key]
        # Up to two endings off, each stem of four letters or more (``_stems``).
        first, stems = _stems(key)
        for stem in stems:
            for known in (stem, stem + "a"):
                if known in self.names:
                    return self.names[known]
        # Spelt as another script spells its sh (Ishaq, Исхак), or without a cedilla.
        others = self._other_spellings()
        for known in (key, *stems, *(stem + "a" for stem in stems)):
            if (other := others.get(known.translate(_O_E_AS_A))) is not None:
                return other
        # A final kh, x or х after a vowel, which the key drops (Farrukh, Фаррух: "faru") or a
        # case ending keeps (Фарруха: "faruh"), is Russian к as often (Фарук: "faruk"), as the
        # people matcher reads it: each is looked up as the other.
        as_k = [key + "k"] if ends_in_kh(word) else []
        as_k += [stem[:-1] + "k" for stem in stems if _VOWEL_H.search(stem)]
        as_k += [form[:-1] for form in (key, *stems) if _VOWEL_K.search(form)]
        for known in as_k:
            if known in self.names:
                return self.names[known]
        # A word in lower case may be a name typed so ("the victim khalmatov"), spelt just as
        # the name is (strict keys), if it is no ordinary word ("балет" is not Bolat), nor
        # short (four letters alike a name are as often a word of another language: "rasa").
        capitalised = _may_be_a_name(word)
        if key in self.kept or not (capitalised or (word[:1].islower() and len(key) >= 5)):
            return None
        # Its sh, ш or ş written s where the name was recorded (Gulshan, Гульшанға for Gulsen).
        if "S" in key and (capitalised or not ordinary_word(word)):
            self._spelling_index()
            for known in (key, *stems, *(stem + "a" for stem in stems)):
                if (other := self._with_sh.get(known.translate(_O_E_AS_A))) is not None:
                    return other
        # A Russian case form whose stem is not the name's (a vowel falls out, ё, the soft
        # sign: "Павла", "Льва", "Петра", "Ольги") or an adjective's ("Белого"): what the
        # Russian dictionary reads it as, a woman's surname with its -a ("Петровой").
        for lemma in russian_lemmas(word) if capitalised else ():
            known = name_key(lemma).replace(" ", "")
            for form in (known, known + "a"):
                if form in self.names and form not in self.kept:
                    return self.names[form]
        fond = self._fond(key, first) if capitalised else None
        if fond is not None:
            return fond
        # A spelling nobody recorded (Khodjaïev for Ҳўжаев, Chingiz for Чыңгыз): the same
        # consonants with vowels in the same places, whole or without its endings.
        # A stem (five letters or more, one ending of two or more off: Xo'jayevga) needs its
        # vowels alike too ("January" is not "Janar" and -y).
        # A capitalised word's stem of six letters or more, one ending of any length off, may be
        # spelt as loosely as a whole word ("Ўлуғбека", "Исмаилова": Ulugbek, Ismoilov).
        spellings = self._spelling_index()[0]
        forms = [(key, not capitalised)] + [
            (form, not (capitalised and len(stem) >= 6))
            for stem, ending in first
            if (len(ending) >= 2 and len(stem) >= 5) or (capitalised and len(stem) >= 6)
            for form in (stem, stem + "a")
        ]
        for known, strict in forms:
            if spellings.keys().isdisjoint(spelling_skeletons(known, strict)):
                continue  # not one consonant skeleton in common: the keys would not be either
            for loose in spelling_keys(known, strict):
                if (loose[0], loose) in spellings:
                    if not capitalised and ordinary_word(word):
                        return None
                    return spellings[loose[0], loose]
        return None

    def _other_spellings(self) -> dict[str, str]:
        """Replacements by the keys the other spellings of a name's sh give."""
        self._spelling_index()
        return self._others

    def _fond(self, key: str, first: tuple[tuple[str, str], ...]) -> str | None:
        """The replacement of a first name said fondly (``key``), perhaps with a case ending
        too (``first``, stems and endings: "Алишкой" is Alish-k-oy)."""
        shortened = self._spelling_index()[1]
        forms = {key} | {f for stem, _ in first for f in (stem, stem + "a")}
        if short := _SHORT_FORM_CASES.fullmatch(key):
            forms.add(short[1] + "ya")  # a short form in its cases (Гулей, Гуле: Гуля)
        for form in forms:
            for ending in _FOND:
                stem = form[: -len(ending)]
                if form.endswith(ending) and stem in shortened and stem[-1] not in "aeiouy":
                    return shortened[stem]
        # A Russian pet form (Дилька, Гулечка, Дилюшка: ``names.pet_stem``) keeps as few as
        # three letters of the name (Дилноза, Гульнара), as the people matcher reads it.
        for form in sorted(forms):
            stem = pet_stem(form)
            if stem is None:
                continue
            for part, replacement in self._starts.get(stem[:PET_PREFIX], ()):
                if part != form and part.startswith(stem):
                    return replacement
        return None

    def _spelling_index(self) -> tuple[dict[Any, str], dict[str, str]]:
        """Replacements by loose spelling key (under its skeleton), and by skeleton alone; and
        by the beginnings of each name a fond form keeps (``_FOND_STEM``)."""
        if self._spellings_of != len(self.names):
            self._spellings = {}
            self._shortened = {}
            self._starts = {}
            self._others = {}
            self._with_sh = {}
            for part, replacement in self.names.items():
                self._starts.setdefault(part[:PET_PREFIX], []).append((part, replacement))
                for loose in spelling_keys(part) | spelling_keys(part, strict=True):
                    self._spellings.setdefault((loose[0], loose), replacement)
                    self._spellings.setdefault(loose[0], replacement)
                for end in range(max(_FOND_STEM, (len(part) + 1) // 2), len(part) + 1):
                    self._shortened.setdefault(part[:end], replacement)
                for old, new in _OTHER_SPELLINGS:
                    if old in part:
                        other = part.replace(old, new).translate(_O_E_AS_A)
                        self._others.setdefault(other, replacement)
                for other in _with_sh(part) if len(part) >= 4 else ():
                    self._with_sh.setdefault(other, replacement)
            self._spellings_of = len(self.names)
        return self._spellings, self._shortened

    def _literal_index(self) -> _LiteralIndex:
        if self._index is None or self._index_of != len(self.literals):
            self._index = _LiteralIndex(self.literals)
            self._index_of = len(self.literals)
        return self._index

    @staticmethod
    def _replace_number(match: re.Match[str]) -> str:
        """A phone number (9 digits or more, not a date and time) is withheld."""
        number = match.group()
        if sum(ch.isdigit() for ch in number) < 9:
            return number
        if _DATE.search(number) and not number.startswith("+"):
            return number
        return CONTACT_WITHHELD

    def _replace_word(self, match: re.Match[str]) -> str:
        """A whole word ("G'ulom"), else its letter runs ("Nazarov's" -> "Nazarov"), else the
        words run together in it ("AlisherKholmatov", a handle)."""
        word = match.group()
        if match["digest"]:
            return word
        whole = self._name_match(_ESCAPED_APOSTROPHE.sub("'", word))
        if whole is not None:
            return whole
        return _LETTERS.sub(self._replace_run, word)

    def _replace_run(self, match: re.Match[str]) -> str:
        run = match.group()
        found = self._name_match(run)
        if found is not None:
            return found
        parts = _run_together(run)
        if len(parts) < 2:
            return run
        return "".join(self._name_match(part) or part for part in parts)

    def _replace_digits(self, match: re.Match[str]) -> str:
        """A word written with a digit for a letter (Kh0lmatov), if it reads as a withheld
        name; anything else with digits in it stays as it is."""
        for reading in digit_readings(match.group()):
            found = self._name_match(reading)
            if found is not None:
                return found
        return match.group()

    def _replace_broken(self, match: re.Match[str]) -> str:
        """A name hyphenated at a line's end, whole; any other word so broken stays as it is."""
        return self._name_match(match.group(1) + match.group(2)) or match.group()

    def scrub(self, text: str | None, *, generic: bool = True) -> str:
        """``text`` with every withheld name, spelling, number and contact replaced; with
        ``generic``, every e-mail address and phone number as well."""
        if not text:
            return ""
        text = visible(text)
        if len(self.literals) <= FEW_LITERALS:
            for value, replacement in sorted(self.literals, key=_longest_first):
                text = _literal(value).sub(replacement, text)
        else:
            text = self._literal_index().replace(text)
        if generic:
            text = _ADDRESS_NAME_FIRST.sub(WITHHELD, _ADDRESS.sub(WITHHELD, text))
            text = _ADDRESS_CUED.sub(lambda m: m["cue"] + WITHHELD, text)
            text = _ADDRESS_FLAT.sub(WITHHELD, text)
            text = _EMAIL.sub(CONTACT_WITHHELD, text)
            text = _PHONE.sub(self._replace_number, text)
        text = _BROKEN_WORD.sub(self._replace_broken, text)
        text = _WITH_DIGITS.sub(self._replace_digits, text)
        text = _DIGEST_OR_WORD.sub(self._replace_word, text)
        return self._tidied(text)

    def _tidied(self, text: str) -> str:
        """``text`` without the initials written with each name's replacement it holds, nor
        the replacement written again (``_around``). Beyond a few replacements (a pseudonym
        each person of hundreds of cases), only those with initials or written again where
        the text holds them: each is sought where it is, not in passes over all the text."""
        replacements = dict.fromkeys(self.names.values())
        if len(replacements) <= FEW_LITERALS:
            for replacement in sorted(
                (r for r in replacements if r in text), key=_by_length_then_text
            ):
                text = _without_around(replacement, text)
            return text
        seeker = _replacements_seeker(tuple(replacements))
        held = seeker.found(text) | {""}
        near = _near(text, seeker)
        # Longest first, then in alphabetical order: initials between two replacements ("AB123,
        # A. CD456") are then taken with the same one whatever the process's hash seed.
        for replacement in sorted((r for r in replacements if r in held), key=_by_length_then_text):
            if replacement in near:
                tidied = _without_around(replacement, text)
                if tidied != text:
                    text, near = tidied, _near(tidied, seeker)
        return text


# --- cases ----------------------------------------------------------------------------------


class RemedyOut(NamedTuple):
    """A domestic remedy as an output gives it."""

    kind: str
    filed: str  # as ``date_text`` gives a date: "2010-08", "c. 2009"; "" when not recorded
    outcome: str
    exhausted: bool
    argued_ineffective: bool = False
    ineffective_because: str | None = None  # free text: only once reviewed for the output
    decided: str = ""  # as ``filed``
    authority: str | None = None  # the court or body that hears it; free text, once reviewed


@dataclass(frozen=True)
class EventOut:
    date: str
    kind: str
    place: str | None
    description: str | None
    agencies: tuple[str, ...] = ()  # perpetrator agencies, as typed: free text


@dataclass(frozen=True)
class CaseOut:
    """A case as it may leave the system."""

    reference: str
    status: str
    act_type: str | None
    act_date: str | None
    act_year: int | None
    place: str | None
    destination: str | None
    situation: str
    urgency: str
    imminent: bool
    people: list[PersonOut]
    events: list[EventOut]
    provisions: list[tuple[str, str, str, str]]  # code, title, assessment, violation status
    remedies: list[RemedyOut]
    free_text_reviewed: bool
    narrative: str | None
    after_return: str | None
    analyses: list[tuple[str, str]] = field(default_factory=list)  # provision code, analysis
    # The codes of ``provisions`` that are articles of the Convention against Torture (by their
    # instrument, whatever their code looks like): the only grounds the Committee examines.
    convention_articles: frozenset[str] = frozenset()
    # The same for the International Covenant on Civil and Political Rights: the only grounds
    # the Human Rights Committee examines.
    covenant_articles: frozenset[str] = frozenset()
    # What a treaty body asks of the representation: how the alleged victim authorised the
    # author (or that it cannot be obtained), and whether the matter went to another procedure
    # of international investigation or settlement. The codes and the date always leave; who
    # authorised, why it cannot be obtained and the other procedure's details are free text,
    # which leaves once reviewed (``*_recorded``: there is some, reviewed or not).
    authorisation: Authorisation = Authorisation.NOT_RECORDED
    authorised_on: str | None = None
    authorised_by: str | None = None
    authorised_by_recorded: bool = False
    authorisation_note: str | None = None
    authorisation_note_recorded: bool = False
    other_procedures: OtherProcedure = OtherProcedure.NOT_STATED
    other_procedures_details: str | None = None
    other_procedures_recorded: bool = False


def date_text(value: PartialDate | None, approximate: bool) -> str | None:
    """A (partial) date as an output gives it: ISO at its precision, "c. " before one recorded
    as approximate (never presented as established)."""
    if value is None:
        return None
    return f"c. {value.iso()}" if approximate else value.iso()


# Words of an address below the town (a street, a house, a flat), in the region's languages.
_BELOW_TOWN = frozenset(
    {
        "street", "avenue", "road", "lane", "square", "house", "home", "flat", "apt",
        "apartment", "building", "block", "ул", "улица", "пр", "проспект", "пер", "переулок",
        "пл", "площадь", "мкр", "микрорайон", "д", "дом", "кв", "квартира", "корпус", "подъезд",
        "общежитие", "көшесі", "даңғылы", "ko'chasi", "kochasi",
    }
)  # fmt: skip
# Lower-case words a town's or region's name may hold ("Almaty region", "г. Алматы").
_TOWN_WORDS = frozenset(
    {
        "region", "oblast", "district", "province", "city", "of", "on", "область", "обл",
        "район", "р-н", "г", "город", "село", "с", "аул", "пос", "посёлок", "поселок", "на",
    }
)  # fmt: skip


def _is_town(part: str, scrubber: Scrubber) -> bool:
    """Does ``part`` read as the name of a town or region, and nothing more?"""
    words = re.findall(r"[\w'-]+", part)
    if not words or len(words) > 4 or len(part) > 60 or any(ch.isdigit() for ch in part):
        return False
    if _BELOW_TOWN.intersection(w.casefold() for w in words):
        return False
    if not all(w[0].isupper() or w.casefold() in _TOWN_WORDS for w in words):
        return False  # "у Холматовых", "near the bazaar": words about people or places
    return scrubber.scrub(part) == part


def town_of(place: str | None, scrubber: Scrubber) -> str | None:
    """The town of a place as typed, the most of it an output shows: its first part (between
    commas) or else its last, if that reads as a town's name: a few capitalised words, no digit,
    no street, house or flat, no name the output withholds. A part in between is never taken
    ("Abay avenue 10, Almaty" and "Almaty, Abay avenue 10" -> "Almaty"; "ул. Абая 10,
    у Холматовых, Алматы" -> "Алматы")."""
    parts = [" ".join(p.split()) for p in (place or "").split(",")]
    parts = [p for p in parts if p]
    for part in parts[:1] + parts[-1:]:
        if _is_town(part, scrubber):
            return part
    return None


def review_is_current(case: Case, output: Output) -> OutputReview | None:
    """The latest review of the case for ``output``, if nothing changed since."""
    if case.id not in _current_reviews({case.id: case}, output):
        return None
    return db.session.scalar(
        select(OutputReview)
        .where(OutputReview.case_id == case.id, OutputReview.output == output.value)
        .order_by(OutputReview.reviewed_at.desc(), OutputReview.id.desc())
        .limit(1)
    )


def _current_reviews(cases: dict[int, Case], output: Output) -> set[int]:
    """Ids of the cases (by id) whose latest review for ``output`` is no older than the last
    change of the case, of its events, of its legal links (whose analyses leave with it) and
    of its remedies (why one is not effective leaves with it): two queries, however many
    cases."""
    last_review = dict(
        db.session.execute(
            select(OutputReview.case_id, func.max(OutputReview.reviewed_at))
            .where(OutputReview.case_id.in_(list(cases)), OutputReview.output == output.value)
            .group_by(OutputReview.case_id)
        ).all()
    )
    if not last_review:
        return set()
    reviewed = list(last_review)
    last_change = {case_id: cases[case_id].updated_at for case_id in reviewed}
    records = union_all(
        *(
            select(model.case_id, func.max(model.updated_at))
            .where(model.case_id.in_(reviewed))
            .group_by(model.case_id)
            for model in (Event, CaseProvision, Remedy)
        )
    )
    for case_id, changed in db.session.execute(records):
        if changed is not None and changed > last_change[case_id]:
            last_change[case_id] = changed
    return {case_id for case_id, at in last_review.items() if at >= last_change[case_id]}


def _relatives_at_risk(everyone: list[CasePerson], family: Family) -> set[int]:
    """People whose relative is flagged family at risk: linked to them (the case's family
    links), whether that relative is a person of the case, was removed from it or never was in
    it; or family in the case of a person of the case flagged."""
    case_people = [cp for cp in everyone if not cp.is_hidden]
    in_case = {cp.person_id for cp in case_people if cp.person.family_at_risk}
    flagged = in_case | {cp.person_id for cp in everyone if cp.person.family_at_risk}
    flagged |= {person.id for person in family.relatives if person.family_at_risk}
    if not flagged:
        return set()
    relatives = {
        cp.person_id
        for cp in case_people
        if in_case and cp.role == CaseRole.FAMILY and cp.person_id not in flagged
    }
    for person_id, relative_id in family.links:
        if person_id in flagged or relative_id in flagged:
            relatives.update({person_id, relative_id} - flagged)
    return relatives


def _people_of(case: Case) -> list[CasePerson]:
    """Every person of the case (hidden links too), with their names: ``case.people`` as an
    output over many cases loaded it with them, else read here in one go (not one query for
    each person and another for their names)."""
    if "people" in inspect(case).unloaded:
        loaded = case_people_with_names(case, include_hidden=True)
        set_committed_value(case, "people", loaded)
    return case.people


@dataclass(frozen=True)
class Family:
    """The family links of a case's people, in either direction (hidden links, and those of
    people removed from the case, too), and the relatives at their other end who are no people
    of the case, with all their names; and the people once merged with a person of the case,
    the merge since undone (the case's text may call its person by their names)."""

    links: list[tuple[int, int]] = field(default_factory=list)  # (person_id, relative_id)
    relatives: list[Person] = field(default_factory=list)
    unmerged: list[Person] = field(default_factory=list)


def case_families(cases: list[Case]) -> dict[int, Family]:
    """``Family`` of each case, by case id: one query per 500 people of the cases, for the
    links and undone merges with the people at both ends and every name of theirs (hidden
    ones too: a text may still use them), not one query per person."""
    people_of = {c.id: {cp.person_id for cp in _people_of(c)} for c in cases}
    ids = sorted(set().union(*people_of.values()))
    by_person: dict[tuple[str, int], set[tuple[int, int]]] = {}
    kin: dict[int, Person] = {}
    names: dict[int, dict[int, PersonName]] = {}
    for batch in in_chunks(ids):
        pairs = union_all(
            select(
                FamilyLink.person_id.label("one"),
                FamilyLink.relative_id.label("other"),
                literal("family").label("kind"),
            ).where(FamilyLink.person_id.in_(batch) | FamilyLink.relative_id.in_(batch)),
            select(PersonMerge.survivor_id, PersonMerge.merged_id, literal("unmerged")).where(
                PersonMerge.undone_at.is_not(None),
                PersonMerge.survivor_id.in_(batch) | PersonMerge.merged_id.in_(batch),
            ),
        ).subquery()
        rows = db.session.execute(  # entities: the ORM opens the sealed names and details
            select(pairs.c.one, pairs.c.other, pairs.c.kind, Person, PersonName)
            .join(Person, Person.id.in_([pairs.c.one, pairs.c.other]))
            .outerjoin(PersonName, PersonName.person_id == Person.id)
        )
        for one, other, kind, person, name in rows:
            for end in (one, other):
                by_person.setdefault((kind, end), set()).add((one, other))
            kin[person.id] = person
            found = names.setdefault(person.id, {})
            if name is not None:
                found[name.id] = name
    for person_id, person in kin.items():
        if "names" in inspect(person).unloaded:
            loaded = sorted(names[person_id].values(), key=lambda n: (n.position, n.id))
            set_committed_value(person, "names", loaded)

    def of(kind: str, own: set[int]) -> tuple[list[tuple[int, int]], list[Person]]:
        pairs = sorted({pair for pid in own for pair in by_person.get((kind, pid), ())})
        return pairs, [kin[pid] for pid in sorted({end for p in pairs for end in p} - own)]

    families: dict[int, Family] = {}
    for case_id, own in people_of.items():
        links, relatives = of("family", own)
        families[case_id] = Family(links, relatives, of("unmerged", own)[1])
    return families


def protected_identities(case_ids: list[int]) -> dict[int, list[str]]:
    """The protected source identities of the cases (hidden sources too: a source hidden from
    the case may still be named in its text), by case id: one query per 500 cases."""
    found: dict[int, list[str]] = {}
    for batch in in_chunks(case_ids):
        for source in db.session.scalars(  # rows: the ORM opens the sealed identities
            select(Source)
            .where(Source.case_id.in_(batch), Source.identity_protected.is_(True))
            .order_by(Source.id)
        ):
            if source.identity:
                found.setdefault(source.case_id, []).append(source.identity)
    return found


def case_scrubber(
    case: Case,
    strict: bool = False,
    sources: list[str] | None = None,
    family: Family | None = None,
) -> tuple[Scrubber, list[PersonOut]]:
    """The scrubber for a case's free text, and its people as they may appear. ``sources`` are
    the case's protected source identities (``protected_identities``), ``family`` its people's
    family (``case_families``), each read here if not given: a protected source's identity
    never leaves, whoever reviewed the text, nor does the name of a relative who is no person
    of the case."""
    if sources is None:
        sources = protected_identities([case.id]).get(case.id, [])
    if family is None:
        family = case_families([case])[case.id]
    everyone = _people_of(case)
    at_risk = _relatives_at_risk(everyone, family)
    scrubber = Scrubber()
    people = []
    named = scrubber.kept
    # Ages are those at the act (a child then is a child in the document), else today's.
    on = case.act_date.earliest() if case.act_date else None
    # Hidden links too: a person removed from the case may still be named in its text.
    for cp in everyone:
        disclosure = disclosure_for(cp.person, at_risk, strict)
        scrubber.add_person(cp.person, disclosure)
        if disclosure == Disclosure.NAMED:
            named.update(part for name in cp.person.names for part in name_parts(name.name))
        if not cp.is_hidden:
            people.append(person_out(cp.person, cp.role, disclosure, on))
    # A relative the text names ("his brother ...") gave no consent for this case, whatever
    # they gave for their own: withheld, but for the parts of a name the output gives anyway.
    # So is one once merged with a person of the case (the merge undone): their names were the
    # person's then, and the text may still use them.
    for relative in family.relatives + family.unmerged:
        scrubber.add_person(relative, Disclosure.WITHHELD, keep=frozenset(named))
    for identity in sources:
        scrubber.add_source(identity)
    # Who authorised the representation (a relative, a lawyer) as typed: named only if the
    # output names them as a person of the case.
    scrubber.add_authoriser(case.authorised_by, frozenset(named))
    return scrubber, people


@dataclass(frozen=True)
class CaseFacts:
    """What ``disclose_case`` reads of a case beyond its row, people and events."""

    links: list[CaseProvision] = field(default_factory=list)  # assessed, not hidden
    remedies: list[Remedy] = field(default_factory=list)  # not hidden
    reviewed: bool = False  # a review for the output, with no change since
    protected_sources: list[str] = field(default_factory=list)  # identities, never to leave
    family: Family = field(default_factory=Family)  # relatives' names, never to leave


def disclosure_facts(
    cases: list[Case], output: Output, *, summary: bool = False
) -> dict[int, CaseFacts]:
    """``CaseFacts`` of many cases in a few queries per 500 cases, not a few per case.

    Review currency is ``_current_reviews``'s rule, as for ``review_is_current``. With
    ``summary`` (see ``disclose_case``), no legal link or remedy is read: a summary gives none.
    """
    links: dict[int, list[CaseProvision]] = {}
    remedies: dict[int, list[Remedy]] = {}
    reviewed: set[int] = set()
    for batch in in_chunks(cases):
        chunk = {c.id: c for c in batch}
        ids = list(chunk)
        reviewed |= _current_reviews(chunk, output)
        if summary:
            continue
        for link in db.session.scalars(
            select(CaseProvision)
            .where(
                CaseProvision.case_id.in_(ids),
                CaseProvision.hidden_at.is_(None),
                CaseProvision.state == "assessed",
            )
            .options(selectinload(CaseProvision.provision).selectinload(Provision.instrument))
            .order_by(CaseProvision.id)
        ):
            links.setdefault(link.case_id, []).append(link)
        for remedy in db.session.scalars(
            select(Remedy)
            .where(Remedy.case_id.in_(ids), Remedy.hidden_at.is_(None))
            # By case first, as the case's index reads them: ordered by id alone, SQLite walks
            # every remedy of the archive in id order to spare a sort.
            .order_by(Remedy.case_id, Remedy.id)
        ):
            remedies.setdefault(remedy.case_id, []).append(remedy)
    sources = protected_identities([c.id for c in cases])
    families = case_families(cases)
    return {
        c.id: CaseFacts(
            links.get(c.id, []),
            remedies.get(c.id, []),
            c.id in reviewed,
            sources.get(c.id, []),
            families[c.id],
        )
        for c in cases
    }


def disclose_case(
    case: Case,
    output: Output,
    *,
    strict: bool = False,
    assume_reviewed: bool = False,
    facts: CaseFacts | None = None,
    summary: bool = False,
) -> CaseOut:
    """Everything of ``case`` that ``output`` may carry (see the module docstring).

    ``assume_reviewed`` is for the review page only: the free text as it would leave.
    ``facts`` are the case's ``disclosure_facts`` when an output reads many cases at once.
    ``summary``: what a document summing up many cases says of each (the UPR submission):
    the act, the people, the narrative and the kinds and dates of the events. Its other texts
    (the place of the act, the events' places, descriptions and agencies, the account after
    return, the representation, the other procedures) are neither read nor given (None, never
    ``*_recorded``), nor are legal links and remedies (``disclosure_facts`` with ``summary``):
    the case may be loaded without them (``reports.services.readable_cases``).
    """
    if facts is None:
        facts = disclosure_facts([case], output, summary=summary)[case.id]
    scrubber, people = case_scrubber(case, strict, facts.protected_sources, facts.family)
    reviewed = not strict and (assume_reviewed or facts.reviewed)

    def free(text: str | None) -> str | None:
        return scrubber.scrub(text) if reviewed and text else None

    events = [
        EventOut(
            date=date_text(e.date, e.date_approximate) or "date unknown",
            kind=e.event_type.label,
            place=None if summary or not e.place else town_of(e.place.name, scrubber),
            description=None if summary else free(e.description),
            agencies=tuple(agency_label(scrubber.scrub(a.name), a.country) for a in e.agencies)
            if reviewed and not summary
            else (),
        )
        for e in case.events
        if not e.is_hidden
    ]
    provisions = [
        (
            link.provision.code,
            link.provision.title,
            link.assessment.label,
            link.violation_status.label,
        )
        for link in facts.links
    ]
    # Each analysis scrubbed once: one scrubbed to nothing leaves no entry.
    analyses = [
        (link.provision.code, text) for link in facts.links if (text := free(link.analysis))
    ]
    convention_articles = frozenset(
        link.provision.code
        for link in facts.links
        if link.provision.instrument.code == CONVENTION_AGAINST_TORTURE
    )
    covenant_articles = frozenset(
        link.provision.code
        for link in facts.links
        if link.provision.instrument.code == CIVIL_AND_POLITICAL_COVENANT
    )
    remedies = [
        RemedyOut(
            r.kind.label,
            date_text(r.filed_on, r.filed_on_approximate) or "",
            r.outcome.label,
            r.exhausted,
            argued_ineffective=bool(r.ineffective_because),
            ineffective_because=free(r.ineffective_because),
            decided=date_text(r.decided_on, r.decided_on_approximate) or "",
            authority=free(r.body),
        )
        for r in sorted(facts.remedies, key=remedy_sort_key)  # as the case file lists them
    ]
    act_date = case.act_date
    return CaseOut(
        reference=case.reference,
        status=case.status.label,
        act_type=case.act_type.label if case.act_type else None,
        act_date=date_text(act_date, case.act_date_approximate),
        act_year=act_date.year if act_date else None,
        place=None if summary else town_of(case.act_place, scrubber),
        destination=countries.name(case.destination_country) if case.destination_country else None,
        situation=case.current_situation.label,
        urgency=case.urgency.label,
        imminent=case.urgency.value == "imminent",
        people=people,
        events=events,
        provisions=provisions,
        remedies=remedies,
        free_text_reviewed=reviewed,
        narrative=free(case.narrative),
        after_return=None if summary else free(case.after_return),
        analyses=analyses,
        convention_articles=convention_articles,
        covenant_articles=covenant_articles,
        authorisation=case.authorisation,
        authorised_on=None if summary or not case.authorised_on else case.authorised_on.isoformat(),
        authorised_by=None if summary else free(case.authorised_by),
        authorised_by_recorded=not summary and bool(case.authorised_by),
        authorisation_note=None if summary else free(case.authorisation_note),
        authorisation_note_recorded=not summary and bool(case.authorisation_note),
        other_procedures=case.other_procedures,
        other_procedures_details=None if summary else free(case.other_procedures_details),
        other_procedures_recorded=not summary and bool(case.other_procedures_details),
    )


def scrub_for_cases(cases: list[Case], text: str) -> str:
    """Text written for an output about several cases (a UPR draft), scrubbed against all of
    their people: a coordinator's edit cannot put a withheld name back."""
    combined = Scrubber()
    sources = protected_identities([case.id for case in cases])
    families = case_families(cases)
    for case in cases:
        scrubber, _ = case_scrubber(
            case, sources=sources.get(case.id, []), family=families[case.id]
        )
        combined.names.update(scrubber.names)
        combined.literals.extend(scrubber.literals)
        combined.kept |= scrubber.kept
    return combined.scrub(text)


# A page's markup: a comment or a tag, whose attributes are read one by one (``scrub_page_text``).
# A "<" not before a tag's name is text (the page escapes it, as "&lt;", anyway).
_MARKUP = re.compile(r"<!--.*?-->|<[!/]?[A-Za-z][^>]*>", re.DOTALL)
_TAG_NAME = re.compile(r"<[!/]?[^\s/>]*")
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'<>`=]+)""")
# Attributes a page writes links and identifiers in (URLs with random public ids, element ids,
# classes): none is text of the case, and a name found in one breaks it (a link whose public id
# holds "ali", of a withheld Ali). Every other attribute's value is text (a title, a label).
_NOT_TEXT = frozenset(
    {
        "href", "src", "action", "formaction", "id", "class", "for", "name", "rel", "type",
        "lang", "dir", "role", "tabindex", "method", "style", "headers", "form",
        "aria-controls", "aria-describedby", "aria-labelledby",
    }
)  # fmt: skip


def scrub_page_text(scrubber: Scrubber, html: str) -> str:
    """``html`` with its text scrubbed (``generic`` off): the text between tags, comments, and
    the values of attributes that hold text; never a tag's or an attribute's name, a link or an
    identifier (``_NOT_TEXT``)."""

    def attribute(match: re.Match[str]) -> str:
        name, equals, value = match.groups()
        if name.lower() in _NOT_TEXT:
            return match.group()
        quote = value[0] if value[0] in "\"'" else ""
        inner = value[1:-1] if quote else value
        return f"{name}{equals}{quote}{scrubber.scrub(inner, generic=False)}{quote}"

    def markup(tag: str) -> str:
        if tag.startswith("<!--"):
            return f"<!--{scrubber.scrub(tag[4:-3], generic=False)}-->"
        # What is no attribute with a value (one without: "open") is scrubbed as text too.
        at = _TAG_NAME.match(tag).end()
        parts = [tag[:at]]
        for match in _ATTRIBUTE.finditer(tag, at):
            parts += [scrubber.scrub(tag[at : match.start()], generic=False), attribute(match)]
            at = match.end()
        return "".join([*parts, scrubber.scrub(tag[at:], generic=False)])

    parts = []
    at = 0
    for match in _MARKUP.finditer(html):
        parts.append(scrubber.scrub(html[at : match.start()], generic=False))
        parts.append(markup(match.group()))
        at = match.end()
    parts.append(scrubber.scrub(html[at:], generic=False))
    return "".join(parts)


def scrub_team_print(case: Case, html: str) -> str:
    """The case team's print: the names, numbers and contacts of the people who gave no consent
    at all are replaced everywhere on the page (narratives, events, comments); the rest of what
    the team may see stays, and the page says it is for the team only. A relative of the case's
    people who is no person of the case is one of them too (its family list does not print
    them), but for the parts of a name the page prints anyway; so is a record once merged with
    a person of the case, the merge since undone (as in ``case_scrubber``). A protected
    source's identity typed in the text is not printed either, as its list of sources does not
    print it."""
    scrubber = Scrubber()
    printed = scrubber.kept
    for cp in _people_of(case):
        if cp.person.consent == ConsentLevel.NONE:
            scrubber.add_person(cp.person, Disclosure.WITHHELD)
        else:
            printed.update(part for name in cp.person.names for part in name_parts(name.name))
    family = case_families([case])[case.id]
    for relative in family.relatives + family.unmerged:
        if relative.consent == ConsentLevel.NONE:
            scrubber.add_person(relative, Disclosure.WITHHELD, keep=frozenset(printed))
    for identity in protected_identities([case.id]).get(case.id, []):
        scrubber.add_source(identity)
    if not scrubber.literals and not scrubber.names:
        return html
    return scrub_page_text(scrubber, html)
