"""Importing cases from legacy spreadsheets: validate every row, report, then write (or not).

One row is one person in one case; rows sharing a ``case_key`` are one case. By default the
import is all-or-nothing: one rejected value and nothing is written. ``valid_only`` writes the
good rows. Possible duplicates (against the people the importer may see, and within the file)
are reported, never merged silently. The column format is the shared import format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy import text as sql_text

from casework import permissions
from casework.audit.models import AuditEntry
from casework.audit.services import record
from casework.cases.events import act_event_type, get_or_create_agencies, get_or_create_place
from casework.cases.models import (
    Agency,
    Case,
    CaseMember,
    CasePerson,
    Event,
    StatusChange,
    event_agencies,
    event_sources,
    external_ref_key,
)
from casework.cases.services import case_values, last_reference_number, reference_prefix
from casework.core.db import db, in_chunks, new_public_id
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.fields import FieldReader, without_approximate_word
from casework.core.i18n import gettext as _
from casework.core.locks import CASE_REFERENCES, transaction_lock
from casework.core.sealing import secret_attributes
from casework.core.text import grouping_key
from casework.core.types import DATE_PREPOSITION, YEAR_WORD
from casework.core.types import month_number as _month_number
from casework.core.vocab import (
    ActType,
    Assessment,
    Authorisation,
    CaseRole,
    CaseStatus,
    ConsentLevel,
    LegalStatus,
    LinkState,
    NameKind,
    OtherProcedure,
    Situation,
    SourceKind,
    TeamRole,
    Urgency,
)
from casework.evidence.models import Source
from casework.imports.reading import Table, UnusableInput, bare_header, header_key
from casework.imports.terms import NAME_PARTS, ROW_NUMBERS, column_headers, vocab_code
from casework.legal.models import CaseProvision, Provision
from casework.legal.services import is_usable, parse_codes
from casework.people.matching import MATCH_THRESHOLD, Query, match_many, name_tokens
from casework.people.models import NAME_MAX_LEN, Person, PersonName, PersonNameKey
from casework.people.names import detect_script, name_keys, query_keys, text_similarity
from casework.people.services import consent_date_problem, name_text, person_values

COLUMNS = (
    "case_key", "person_name", "other_names", "gender", "birth_date", "nationality", "ethnicity",
    "legal_status", "unhcr_number", "act_type", "act_date", "act_place", "destination_country",
    "perpetrators", "current_situation", "after_return", "narrative", "sources", "consent",
    "urgency", "legal_grounds", "consent_date", "authorisation", "authorised_on",
    "authorised_by", "authorisation_note", "other_procedures", "other_procedures_details",
)  # fmt: skip
REQUIRED = ("person_name", "act_type", "act_date")
# An agency's name as kept: each of the perpetrators.
AGENCY_MAX_LEN: int = Agency.__table__.c.name.type.length
BATCH = 500

_GENDERS = {
    "m": "male", "м": "male", "муж": "male", "мужской": "male", "male": "male",
    "f": "female", "ж": "female", "жен": "female", "женский": "female", "female": "female",
    "other": "other", "unknown": "unknown", "": "unknown",
    # Kazakh and Uzbek (Latin and Cyrillic) registers.
    "ер": "male", "еркек": "male", "әйел": "female", "erkak": "male", "ayol": "female",
    "эркак": "male", "аёл": "female",
}  # fmt: skip
_ETHNICITIES = {
    "uzbek": "Uzbek", "узбек": "Uzbek", "узбечка": "Uzbek", "o'zbek": "Uzbek",
    "uyghur": "Uyghur", "uighur": "Uyghur", "уйгур": "Uyghur", "уйгурка": "Uyghur",
    "kyrgyz": "Kyrgyz", "kirghiz": "Kyrgyz", "кыргыз": "Kyrgyz", "киргиз": "Kyrgyz",
    "tajik": "Tajik", "таджик": "Tajik", "kazakh": "Kazakh", "казах": "Kazakh",
    "turkmen": "Turkmen", "туркмен": "Turkmen", "russian": "Russian", "русский": "Russian",
    "dungan": "Dungan", "дунган": "Dungan", "karakalpak": "Karakalpak", "каракалпак": "Karakalpak",
    # A woman's, in Russian; spellings of the region's own names.
    "казашка": "Kazakh", "кыргызка": "Kyrgyz", "киргизка": "Kyrgyz", "таджичка": "Tajik",
    "туркменка": "Turkmen", "русская": "Russian", "дунганка": "Dungan",
    "каракалпачка": "Karakalpak", "uygur": "Uyghur", "ujgur": "Uyghur", "qazaq": "Kazakh",
    "qirg'iz": "Kyrgyz", "tojik": "Tajik",
}  # fmt: skip
# Uzbek Latin writes its apostrophe (o', g') many ways: ʻ (the official one), ’, ‘, `, ʼ.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u02bb\u02bc\u2018\u2019`", "'"))
_SOURCE_KINDS = {
    "relative": SourceKind.RELATIVE, "family": SourceKind.RELATIVE, "родственник": SourceKind.RELATIVE,
    "родственники": SourceKind.RELATIVE, "lawyer": SourceKind.LAWYER, "адвокат": SourceKind.LAWYER,
    "media": SourceKind.MEDIA, "сми": SourceKind.MEDIA, "unhcr": SourceKind.UNHCR,
    "увкб": SourceKind.UNHCR, "witness": SourceKind.WITNESS, "свидетель": SourceKind.WITNESS,
    "ngo": SourceKind.NGO, "нпо": SourceKind.NGO, "victim": SourceKind.VICTIM,
    "official": SourceKind.OFFICIAL,
}  # fmt: skip


@dataclass
class Problem:
    """A rejected value (or a warning): spreadsheet row, column, the value as written, why."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    rows_read: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {"cases": 0, "people": 0})
    possible_duplicates: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False
    # How a CSV file was read (detected unless given): shown, so a wrong guess can be overridden.
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def rejected_rows(self) -> set[int]:
        return {p.row for p in self.rejected}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ImportReport:
        """The report ``as_dict`` gave (kept while a checked file waits for confirmation)."""
        return cls(
            **{
                **values,
                "rejected": [Problem(**p) for p in values["rejected"]],
                "warnings": [Problem(**p) for p in values["warnings"]],
            }
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rejected": [asdict(p) for p in self.rejected],
            "warnings": [asdict(p) for p in self.warnings],
            "created": dict(self.created),
            "possible_duplicates": self.possible_duplicates,
            "dry_run": self.dry_run,
            "written": self.written,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }


@dataclass
class ImportOptions:
    mapping: dict[str, str | None] = field(default_factory=dict)
    dry_run: bool = False
    valid_only: bool = False


@dataclass
class Row:
    number: int
    case_key: str
    names: list[str]
    person: dict[str, Any]
    case: dict[str, Any]
    perpetrators: list[str]
    sources: list[str]
    provisions: list[Provision]

    @property
    def birth_year(self) -> int | None:
        bd = self.person.get("birth_date")
        return bd.year if bd else None


# --- columns --------------------------------------------------------------------------------


# The unknown columns a refusal names (a sheet turned on its side has thousands).
UNKNOWN_NAMED = 20


def known_headers(mapping: dict[str, str | None]) -> set[str]:
    """The headers (``header_key``) a file may name its columns by: the columns of the format,
    the headers registers give them (``terms.column_headers``) and the headers of the mapping.
    The header row is the first row naming them."""
    return {
        *(header_key(c) for c in COLUMNS),
        *column_headers(),
        *NAME_PARTS,
        *(header_key(k) for k in mapping),
    }


def map_columns(headers: list[str], mapping: dict[str, str | None]) -> dict[str, str]:
    """File header -> canonical column. Unknown, duplicate or missing columns: UnusableInput.

    A mapping value of ``null`` or ``""`` ignores that column on purpose; nothing else is
    ever dropped. A header a register gives a column ("ФИО", ``terms.column_headers``) is that
    column; the parts of a name in columns of their own (``terms.NAME_PARTS``: "Фамилия",
    "Имя") are all ``person_name``, unless another column is (``mapped_cells`` joins them).
    """
    # Both sides as headers are matched (``header_key``): "Person Name" is person_name.
    canonical = {header_key(c): c for c in COLUMNS}
    synonyms = column_headers()
    parts: list[str] = []
    lowered: dict[str, str] = {}
    for k, v in mapping.items():
        target = header_key(v or "")
        if target and target not in canonical:
            raise UnusableInput(
                _("The mapping names an unknown column \u201c%(column)s\u201d.", column=v)
            )
        lowered[header_key(k)] = canonical.get(target, "")
    result: dict[str, str] = {}
    unknown = []
    for header in headers:
        key = header_key(header)
        if not any(key in names for names in (lowered, canonical, synonyms, NAME_PARTS)):
            # "ФИО*", "Пол (м/ж)": a template's marks on the header of a column.
            key = bare_header(key)
        if key in lowered:
            target = lowered[key]
            if not target:
                continue
        elif key in canonical:
            target = canonical[key]
        elif key in synonyms:
            target = synonyms[key]
        elif key in NAME_PARTS:
            parts.append(header)
            continue
        else:
            if header.strip():
                unknown.append(header)
            continue
        if target in result.values():
            other = next(h for h, column in result.items() if column == target)
            raise UnusableInput(
                _(
                    "Two columns, \u201c%(first)s\u201d and \u201c%(second)s\u201d, are both "
                    "\u201c%(column)s\u201d: map one of them to another column (or to null to "
                    "leave it out).",
                    first=other,
                    second=header,
                    column=target,
                )
            )
        result[header] = target
    if "person_name" in result.values():
        # The name is in a column of its own: "Имя" beside "ФИО" is another column, to map.
        unknown += parts
    else:
        result.update(dict.fromkeys(parts, "person_name"))
    if unknown:
        named = ", ".join(f"\u201c{h}\u201d" for h in unknown[:UNKNOWN_NAMED])
        if len(unknown) > UNKNOWN_NAMED:
            named = _("%(columns)s and %(n)s more", columns=named, n=len(unknown) - UNKNOWN_NAMED)
        raise UnusableInput(
            _(
                "Unknown column(s): %(columns)s. Map them with a column mapping (or map them to "
                "null to leave them out).",
                columns=named,
            )
        )
    missing = [c for c in REQUIRED if c not in result.values()]
    if missing:
        raise UnusableInput(
            _("Required column(s) missing: %(columns)s.", columns=", ".join(missing))
        )
    return result


def _row_numbers(table: Table, mapping: dict[str, str | None]) -> list[str]:
    """The headers of columns of the rows' own numbers ("№ п/п": ``terms.ROW_NUMBERS``),
    not in the mapping, that hold whole numbers only: nothing of them is to import. A column
    so named holding anything else (a case's own number, "KZ-17") is not one."""
    mapped = {header_key(k) for k in mapping}
    return [
        header
        for header in table.headers
        if (key := header_key(header)) in ROW_NUMBERS
        and key not in mapped
        and all(
            cells.get(header, "").rstrip(".").isdigit() or not cells.get(header)
            for _n, cells in table.rows
        )
    ]


def mapped_cells(cells: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    """A row's cells by column (``map_columns``): the parts of a name in columns of their own
    are one name, joined in the order of the file's columns."""
    mapped: dict[str, str] = {}
    for header, value in cells.items():
        if (column := columns.get(header)) is not None:
            mapped[column] = " ".join(filter(None, (mapped.get(column, ""), value.strip())))
    return mapped


# --- rows -----------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    seen: list[str] = []
    for part in (text or "").replace("\n", ";").split(";"):
        part = " ".join(part.split())
        if part and part not in seen:
            seen.append(part)
    return seen


class _Catalogue:
    """Provision codes, read once per import."""

    def __init__(self) -> None:
        self._cache: dict[str, Provision | None] = {}

    def resolve(self, text: str) -> tuple[list[Provision], list[str]]:
        codes = parse_codes(text)
        missing = [c for c in codes if c not in self._cache]
        if missing:
            for p in db.session.scalars(select(Provision).where(Provision.code.in_(missing))):
                self._cache[p.code] = p
            for c in missing:
                self._cache.setdefault(c, None)
        found, bad = [], []
        for c in codes:
            p = self._cache[c]
            if p is None or not is_usable(p):
                bad.append(c)
            else:
                found.append(p)
        return found, bad


# A rejected value is quoted back in the report up to this many characters: a cell of a
# million is reported, not reprinted.
QUOTED_MAX = 200


def _quoted(value: str) -> str:
    return value if len(value) <= QUOTED_MAX else value[:QUOTED_MAX] + "…"


# Excel counts days from 30 December 1899: a date cell formatted as a number shows 40703 for
# 9 June 2011. Five digits (from 1927) cannot be a year; the day numbers run to 2100.
_DAY_NUMBER = re.compile(r"\d{5}(?:[.,]\d*)?")
_DAY_ZERO = date(1899, 12, 30)
_DATE_COLUMNS = ("birth_date", "act_date", "consent_date", "authorised_on")


# Dates as files from Russian-locale (and other) machines write them, that the forms' reader
# (``PartialDate.parse``) does not take: day, month and a year of two or four digits with
# dots, slashes or hyphens (12.04.79, 12/04/1979, 12-04-1979); year first with dots
# (2011.04.12); Excel's 12-Apr-2011 or 12-апр-11; April 12, 2011. A time after the day is
# dropped (12/04/1979 0:00, 4/12/1979 12:00:00 AM).
# A moment exported with its time zone (2011-04-12T00:00:00Z, +06:00) or with a comma before its
# time (12.04.2011, 13:45) is the day as written.
_CLOCK = re.compile(
    r"(?<=\d)(?:T|,?\s+)(\d{1,2}):\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"\s*(Z|[+-]00:?00|UTC)?(?:[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
# "1979 г.р." (год рождения), "12.04.79 г.", "2011 года": the Russian words for year (and
# the Kazakh and Uzbek ones: "2011 ж.", "2011 жылы", "2011-yil", ``types.YEAR_WORD``).
_YEAR_WORDS = re.compile(rf"(?<=\d)(?:\s*|-)(?:г\.\s*р\.?|{YEAR_WORD})$", re.IGNORECASE)
_NUMERIC_DAY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})")
_YEAR_FIRST_DOTS = re.compile(r"(\d{4})\.(\d{1,2})(?:\.(\d{1,2}))?")
# A month as Excel shows a date cell formatted "mmm-yy" (and saves it so to CSV): "Jun-11",
# "апр.11", "Mar-1998".
# "April '11": a year of two digits after an apostrophe.
_MONTH_NAME_YEAR = re.compile(
    r"([^\W\d_]{3,})(?:(?:[.-]|\.?\s+)?['\u2018\u2019]|[.-]|\.?\s+)(\d{2}|\d{4})"
)
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})[-\s]([^\W\d_]{3,})\.?[-\s](\d{2}|\d{4})")
_MONTH_NAME_DAY = re.compile(r"([^\W\d_]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})")
# Kazakh and Uzbek write the year first, with their word for year: "2012 жылғы 5 маусым",
# "2012-yil 5-mart".
_KAZAKH_YEAR_FIRST = re.compile(
    rf"(\d{{4}})(?:\s*|-){YEAR_WORD}\s+(?:(\d{{1,2}})(?:\s+|-))?([^\W\d_]{{3,}})",
    re.IGNORECASE,
)
# A day without separators, year first (20110412, as databases and file names write it).
_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
# The month in Roman numerals, as Russian and Kazakh handwriting and old registers write it:
# 12.IV.2011, 12 IV 2011, IV.2011; typed on a Cyrillic keyboard, with І and Х for I and X.
_ROMAN_MONTH = re.compile(
    r"(?:(\d{1,2})(?:\.\s*|\s+|-|/))?([IVXІХ]{1,4})(?:\.\s*|\s+|-|/)(\d{2}|\d{4})",
    re.IGNORECASE,
)
_ROMAN = {
    numeral: number
    for number, numeral in enumerate(
        ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"), start=1
    )
}
_CYRILLIC_NUMERALS = str.maketrans("ІХ", "IX")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(short: str, month: int, day: int) -> int:
    """The year of a two-digit one: of this century unless that day is still to come."""
    year = 2000 + int(short)
    on = _day(year, month, day) or _day(year, month, 1) or date(year, 1, 1)
    return year if on <= date.today() else year - 100


def _read_date(column: str, value: str) -> tuple[str, list[str]]:
    """``value`` as ISO text if written in one of the forms above (else as it is), and what
    the reader should be told of how it was read. A time in UTC late in the day (18:00 or
    later) was the next day in Kazakhstan, five or six hours ahead: the day written is kept,
    and the reader told."""
    read, notes = _read_date_text(column, value)
    clock = _CLOCK.search(value)
    if read != value and clock and clock[2] and int(clock[1]) >= 18:
        notes.append(
            _(
                "Read as %(date)s, the day in UTC; in Kazakhstan it was already the next day at "
                "that time: check which day is meant.",
                date=read,
            )
        )
    return read, notes


# A birth date said with the word for born: "род. 1985", "р. 12.04.1979", "родился 3 мая 1980",
# "born 1985"; in Kazakh after it, "1985 жылы туған". Only before or after a date: "род. в
# Андижане" stays what it is, no date.
_BORN = re.compile(
    r"^(?:род\.|р\.|родил(?:ся|ась)|born|b\.)\s*(?=\d)|(?<=\S)\s+туған$", re.IGNORECASE
)


def _read_date_text(column: str, value: str) -> tuple[str, list[str]]:
    if column == "birth_date":
        value = _BORN.sub("", value.strip())
    text = _YEAR_WORDS.sub("", _CLOCK.sub("", value))
    notes: list[str] = []
    if m := _YEAR_FIRST_DOTS.fullmatch(text):
        year, month, day = (int(g) if g else None for g in m.groups())
        if day is None:
            return (f"{year:04d}-{month:02d}", []) if 1 <= month <= 12 else (value, [])
        return (f"{year:04d}-{month:02d}-{day:02d}", []) if _day(year, month, day) else (value, [])
    if m := _COMPACT_DAY.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
        found = _day(year, month, day) if 1900 <= year <= 2100 else None
        return (found.isoformat(), []) if found else (value, [])
    if (m := _KAZAKH_YEAR_FIRST.fullmatch(text)) and (month := _month_number(m[3])):
        if m[2] is None:
            return f"{int(m[1]):04d}-{month:02d}", []
        found = _day(int(m[1]), month, int(m[2]))
        return (found.isoformat(), []) if found else (value, [])
    if (m := _MONTH_NAME_YEAR.fullmatch(text)) and (month := _month_number(m[1])):
        year = int(m[2]) if len(m[2]) == 4 else _full_year(m[2], month, 1)
        if len(m[2]) == 2 and column == "birth_date":
            notes.append(_("The year is written in two digits: read as %(year)s.", year=year))
        return f"{year:04d}-{month:02d}", notes
    if m := _MONTH_NAME_DAY.fullmatch(text):
        month = _month_number(m[1])
        if month and _day(int(m[3]), month, int(m[2])):
            return f"{int(m[3]):04d}-{month:02d}-{int(m[2]):02d}", []
        return value, []
    first = second = 0
    short = ""
    if m := _NUMERIC_DAY.fullmatch(text):
        first, sep, second, short = int(m[1]), m[2], int(m[3]), m[4]
    elif (m := _DAY_MONTH_NAME.fullmatch(text)) and (month := _month_number(m[2])):
        first, sep, second, short = int(m[1]), ".", month, m[3]
    elif (m := _ROMAN_MONTH.fullmatch(text)) and (
        month := _ROMAN.get(m[2].upper().translate(_CYRILLIC_NUMERALS))
    ):
        if m[1] is None:
            year = int(m[3]) if len(m[3]) == 4 else _full_year(m[3], month, 1)
            if len(m[3]) == 2 and column == "birth_date":
                notes.append(_("The year is written in two digits: read as %(year)s.", year=year))
            return f"{year:04d}-{month:02d}", notes
        first, sep, second, short = int(m[1]), ".", month, m[3]
    else:
        return (text if text != value else value), []
    if len(short) == 2:
        year = _full_year(short, second, first)
        if column == "birth_date":
            notes.append(_("The year is written in two digits: read as %(year)s.", year=year))
    else:
        year = int(short)
    day_first = _day(year, second, first)
    if sep == ".":
        # Dots: always day first (the Russian way); a date that is not one is rejected.
        return (day_first.isoformat(), notes) if day_first else (value, [])
    month_first = _day(year, first, second)
    if day_first and month_first and day_first != month_first:
        notes.append(
            _(
                "Read day first, as %(date)s; month first it would be %(other)s: check which "
                "is meant.",
                date=day_first.isoformat(),
                other=month_first.isoformat(),
            )
        )
    elif month_first and not day_first:
        notes.append(
            _(
                "Read month first, as %(date)s (day first it is not a date).",
                date=month_first.isoformat(),
            )
        )
    found = day_first or month_first
    return (found.isoformat(), notes) if found else (value, [])


# Dates of an act that registers give as a part of one year: a season, its beginning, middle
# or end, a quarter, a half-year, two months of it. They say the year and no more.
_SEASON = (
    r"(?:весна|весной|лето|летом|осень|осенью|spring|summer|autumn|fall|көктем|көктемде"
    r"|жаз|жазда|күз|күзде)"
)
_PART_OF_YEAR = (
    r"(?:(?:в\s+)?(?:начал[оеа]|конец|конце|конца|середин[аеы])|early|mid|late"
    r"|(?:the\s+)?(?:beginning|end|middle|start)\s+of)"
)
_QUARTER = r"(?:q[1-4]|(?:[1-4]|i{1,3}|iv|і{1,3}|іv)\s*-?\s*(?:[ыо]?й\s+)?(?:кв\.?|квартал[аеу]?))"
_HALF = (
    r"(?:h[12]|(?:[12]|i{1,2}|і{1,2})\s*-?\s*(?:[ео]?е\s+)?полугоди[еяию]"
    r"|(?:перв|втор)(?:ая|ое|ой|ую)\s+(?:половин[аеуы]|полугоди[еяию])|(?:first|second)\s+half)"
)
# The part of the year after it: "2011 (лето)", "2012, начало", "2014 (конец года)".
_AFTER_YEAR = rf"(?:{_SEASON}|{_PART_OF_YEAR}|{_QUARTER}|{_HALF})(?:\s+года?)?"
_WITHIN_YEAR = re.compile(
    rf"(?:(?:{_SEASON}|{_PART_OF_YEAR}|{_QUARTER}|{_HALF})"
    rf"(?:\s+of)?[\s/-]*(\d{{4}})|(\d{{4}})(?:[\s/,-]*{_AFTER_YEAR}|\s*\(\s*{_AFTER_YEAR}\s*\)))",
    re.IGNORECASE,
)
# Two seasons of one year, in their order ("весна-лето 2012"; autumn to spring is two years).
_TWO_SEASONS = re.compile(
    rf"({_SEASON})\s*[-\u2013\u2014]\s*({_SEASON})(?:\s+of)?[\s/-]*(\d{{4}})", re.IGNORECASE
)
_SEASON_ORDER = (
    ("весн", "spring", "көктем"),
    ("лет", "summer", "жаз"),
    ("осен", "autumn", "fall", "күз"),
)


def _season(word: str) -> int:
    word = word.casefold()
    return next(i for i, stems in enumerate(_SEASON_ORDER) if word.startswith(stems))


_TWO_MONTHS = re.compile(r"([^\W\d_]{3,})\.?\s*[-\u2013\u2014]\s*([^\W\d_]{3,})\.?\s+(\d{4})")
# Two months each with its year: "март 2011 – май 2011", "декабрь 2011 – январь 2012".
_TWO_MONTHS_YEARS = re.compile(
    r"([^\W\d_]{3,})\.?,?\s+(\d{4})\s*[-\u2013\u2014]\s*([^\W\d_]{3,})\.?,?\s+(\d{4})"
)
# A limit rather than a date: "не позднее 2011", "до 2011", "after March 2011".
_LIMIT = re.compile(
    r"(?:не\s+(?:позднее|позже|ранее|раньше)|до|после|ранее|позднее|before|after|by|prior\s+to"
    r"|(?:not|no)\s+(?:later|earlier)\s+than|not\s+before|not\s+after)\s+\D*?(\d{4})\D*",
    re.IGNORECASE,
)
_YEARS = re.compile(r"(\d{4})\s*[-\u2013\u2014/]\s*(\d{4})(?:\s*гг\.?)?", re.IGNORECASE)
_DOUBT = re.compile(r"\s*(?:\?+|\(\?\))$")
_WINTER = re.compile(
    r"(?:зима|зимой|winter|қыс|қыста)(?:\s+of)?\s+\d{4}(?:\s*[-\u2013\u2014/]\s*\d{2,4})?",
    re.IGNORECASE,
)
# A decade: "1990s", "the 1990s", "1990-е (годы)", "1990-х гг.", "90-е".
_DECADE = re.compile(
    r"(?:the\s+)?(\d{2}(?:\d0)?)(?:'?s|\s*-\s*(?:е|х|ые|ых))(?:\s+(?:годы|годах|гг\.?|years))?",
    re.IGNORECASE,
)


def _two_of_one_year(text: str) -> str | None:
    """The year of two seasons or two months of it, in their order ("весна-лето 2012",
    "апрель-май 2015"); None for any other text ("декабрь-январь 2012" spans two years)."""
    if m := _TWO_SEASONS.fullmatch(text):
        return m[3] if _season(m[1]) <= _season(m[2]) else None
    if m := _TWO_MONTHS.fullmatch(text):
        first, last = _month_number(m[1]), _month_number(m[2])
        return m[3] if first and last and first <= last else None
    if m := _TWO_MONTHS_YEARS.fullmatch(text):
        first, last = _month_number(m[1]), _month_number(m[3])
        return m[2] if first and last and m[2] == m[4] and first <= last else None
    return None


def _years_spanned(text: str) -> tuple[str, str] | None:
    """The first and last year of a span of years ("2011-2012", "около 2011-2012",
    "декабрь 2011 – январь 2012"); None for any other text."""
    text = without_approximate_word(text)
    if (m := _YEARS.fullmatch(text)) and m[1] != m[2]:
        return m[1], m[2]
    m = _TWO_MONTHS_YEARS.fullmatch(text)
    if m and _month_number(m[1]) and _month_number(m[3]) and m[2] != m[4]:
        return m[2], m[4]
    return None


def _within_a_year(text: str) -> tuple[str | None, str] | None:
    """A date of an act given as a part of one year ("лето 2011", "Q2 2011", "конец 2011",
    "апрель-май 2011"): the year (ISO text) and what to tell the reader; None for a year the
    text does not name (a span of years, a winter, "декабрь-январь 2012"), with why it is
    refused. None when the text is none of these."""
    text = " ".join(_YEAR_WORDS.sub("", text.strip()).split())
    # "в 2010-х годах", "in the 1990s": the preposition says nothing of the date.
    text = DATE_PREPOSITION.sub("", text)
    year = None
    if m := _WITHIN_YEAR.fullmatch(text):
        year = m[1] or m[2]
    elif two := _two_of_one_year(text):
        year = two
    elif span := _years_spanned(text):
        return None, _(
            "This names no one year (%(first)s to %(last)s): give the year of the act "
            "(\u201cоколо %(first)s\u201d if it is not sure), or unknown, and the span in "
            "the narrative.",
            first=span[0],
            last=span[1],
        )
    elif m := _LIMIT.fullmatch(text):
        return None, _(
            "This gives a limit, not the date of the act: give the date (\u201cоколо "
            "%(year)s\u201d if it is not sure), or unknown, and the limit in the narrative.",
            year=m[1],
        )
    elif (m := _DECADE.fullmatch(without_approximate_word(text))) and m[1].endswith("0"):
        start = int(m[1]) if len(m[1]) == 4 else (1900 if int(m[1]) >= 30 else 2000) + int(m[1])
        return None, _(
            "A decade (the %(decade)ss) names no one year: give the year of the act "
            "(\u201cоколо %(example)s\u201d if it is not sure), or unknown, and the decade in "
            "the narrative.",
            decade=start,
            example=start + 5,
        )
    elif _WINTER.fullmatch(text):
        return None, _(
            "A winter runs from December into the next year, so this names no one year: give "
            "the year or the month of the act."
        )
    elif (m := _TWO_MONTHS.fullmatch(text)) and _month_number(m[1]) and _month_number(m[2]):
        # Two of one year are read above: the later month first, they run into the next.
        return None, _(
            "\u201c%(first)s\u2013%(last)s\u201d runs from one year into the next, so this "
            "names no one year: write each month with its year (\u201c%(example)s\u201d), or give the year "
            "of the act.",
            first=m[1],
            last=m[2],
            example=f"{m[1]} {int(m[3]) - 1} \u2013 {m[2]} {m[3]}",
        )
    if year is None:
        return None
    return year, _(
        "Read as the year %(year)s, which this falls within (no month or day is given); the "
        "text as written is kept as the date's note.",
        year=year,
    )


# An age written where the birth date goes: "age 34", "34 года", "34 years old", "34 жас".
_AGE = re.compile(
    r"(?:age[ds]?|возраст|жасы|yoshi)\s*:?\s*(\d{1,3})(?:\s*\D*)"
    r"|(\d{1,3})\s*(?:years?(?:\s+old)?|y\.?\s*o\.?|лет|года?|г\.|жас(?:та)?|yosh(?:da)?)",
    re.IGNORECASE,
)


# A day and a month, or a month and a year in two digits: "12.11", "25/11", "12-11", "12 11",
# "12.11." (as a sentence ends it).
_NO_YEAR = re.compile(r"\d{1,2}(?:\s*[./-]\s*|\s+)\d{1,2}\.?")
# A day and a month by its name: "12 ноября", "12-го ноября", "12-Nov" (Excel's "d-mmm"),
# "12 ноя.", "5-mart". A month and then a number ("Nov-12", "ноябрь 12") is a month of a year
# in two digits, read as such.
_DAY_MONTH_NAME_ONLY = re.compile(
    r"\d{1,2}(?:-?(?:ого|его|го|е)|st|nd|rd|th)?(?:\s*[-.]\s*|\s+)(?:of\s+)?([^\W\d_]{3,})\.?",
    re.IGNORECASE,
)


def _no_year(text: str) -> str | None:
    """Why a date written as "12.11" or "12 ноября" is refused (the 12th of November of no
    year, or December 2011?), also after "в" or "около", or before a word for year or a
    question mark, in any date column; None for any other text."""
    text = _DOUBT.sub("", _YEAR_WORDS.sub("", " ".join(text.split())))
    text = without_approximate_word(DATE_PREPOSITION.sub("", text))
    named = _DAY_MONTH_NAME_ONLY.fullmatch(text)
    if not (_NO_YEAR.fullmatch(text) or (named and _month_number(named[1]))):
        return None
    return _(
        "\u201c%(text)s\u201d names no year in full: a day and a month with no year, or a "
        "month and a year in two digits. Write the year in four digits (DD.MM.YYYY, MM.YYYY).",
        text=text,
    )


def _refuse_no_year(number: int, cells: dict[str, str]) -> list[Problem]:
    """The date columns of ``cells`` whose date names no year in full (``_no_year``), each
    refused saying why and emptied, so that nothing else is said of it."""
    problems = []
    for column in _DATE_COLUMNS:
        if why := _no_year(cells.get(column, "")):
            problems.append(Problem(number, column, _quoted(" ".join(cells[column].split())), why))
            cells[column] = ""
    return problems


def _not_a_birth_date(text: str, act_date: str) -> str | None:
    """Why ``text`` (a birth date as written) is an age or a decade, which name no year of
    birth; None when it is neither. The example year is the act's year less the age (the
    act's year, when the file gives it, else this year)."""
    if m := _AGE.fullmatch(text):
        age = int(m[1] or m[2])
        when = int(y[0]) if (y := re.search(r"\b(?:19|20)\d{2}\b", act_date)) else date.today().year
        return _(
            "An age is not a date of birth: give the year of birth (\u201cоколо %(year)s\u201d "
            "for someone %(age)s years old in %(when)s), or leave it empty and keep the age in "
            "the narrative.",
            year=when - age,
            age=age,
            when=when,
        )
    m = _DECADE.fullmatch(DATE_PREPOSITION.sub("", without_approximate_word(text)))
    if m and m[1].endswith("0"):
        start = int(m[1]) if len(m[1]) == 4 else (1900 if int(m[1]) >= 30 else 2000) + int(m[1])
        return _(
            "A decade (the %(decade)ss) names no one year: give the year of birth (\u201cоколо "
            "%(example)s\u201d if it is not sure), or leave it empty and keep the decade in the "
            "narrative.",
            decade=start,
            example=start + 5,
        )
    return None


def _read_day_numbers(number: int, cells: dict[str, str]) -> list[Problem]:
    """Read the date columns of ``cells`` written as ``_read_date`` reads them, or holding
    Excel's number of a day, as that day (ISO text); the warnings to give."""
    warnings = []
    for column in _DATE_COLUMNS:
        value = cells.get(column, "").strip()
        if value and not _DAY_NUMBER.fullmatch(value):
            cells[column], notes = _read_date(column, value)
            warnings += [Problem(number, column, _quoted(value), note) for note in notes]
        # A time of the day is its fraction, after a decimal comma on a Russian-locale machine.
        days = float(value.replace(",", ".")) if _DAY_NUMBER.fullmatch(value) else 0
        if 10_000 <= days < 73_416:
            day = (_DAY_ZERO + timedelta(days=int(days))).isoformat()
            cells[column] = day
            warnings.append(
                Problem(
                    number,
                    column,
                    value,
                    _("Read as Excel's number of a day: %(date)s.", date=day),
                )
            )
    return warnings


# What a spreadsheet's user types for "nothing known" rather than leave a cell empty.
_PLACEHOLDERS = frozenset(
    {"-", "--", "---", "\u2013", "\u2014", "\u2212", "?", "??", "???", "n/a", "н/д", "н.д.",
     "нет данных"}
)  # fmt: skip


def is_placeholder(value: str) -> bool:
    """Is ``value`` a mark for "nothing known" ("-", "—", "n/a", "н/д", "нет данных", "?")?
    Text that only starts with one ("- taken at night") is text."""
    return " ".join(value.split()).casefold() in _PLACEHOLDERS


def parse_row(
    number: int, cells: dict[str, str], catalogue: _Catalogue
) -> tuple[Row | None, list[Problem], list[Problem]]:
    """Validate one row; returns (row or None, rejected values, warnings)."""
    problems: list[Problem] = []
    cells = dict(cells)
    # A placeholder in an optional column is an empty cell; a required column needs a value.
    for column, value in cells.items():
        if column in COLUMNS and column not in REQUIRED and is_placeholder(value):
            cells[column] = ""
    # A date of any column that names no year in full ("12.11"): refused saying why.
    problems += _refuse_no_year(number, cells)
    no_year = {problem.column for problem in problems}
    # The date of the act as written, before it is read: a part of a year is that year; one
    # followed by a question mark ("2011?", "2011 (?)") is approximate.
    written = " ".join(cells.get("act_date", "").split())
    doubt = _DOUBT.search(written)
    if doubt and doubt.start():
        cells["act_date"] = written[: doubt.start()]
    within = _within_a_year(cells["act_date"]) if written else None
    born = " ".join(cells.get("birth_date", "").split())
    born_doubt = _DOUBT.search(born)
    if born_doubt and born_doubt.start():
        cells["birth_date"] = born[: born_doubt.start()]
    # An age or a decade where the birth date goes: refused saying why, no year invented.
    not_born = _not_a_birth_date(born, cells.get("act_date", ""))
    if not_born:
        problems.append(Problem(number, "birth_date", _quoted(born), not_born))
        cells["birth_date"] = ""
    warnings: list[Problem] = _read_day_numbers(number, cells)

    def reject(column: str, message: str) -> None:
        problems.append(Problem(number, column, _quoted(cells.get(column, "")), message))

    def placeholder(column: str) -> bool:
        if is_placeholder(cells.get(column, "")):
            reject(
                column,
                _(
                    "\u201c%(value)s\u201d is a placeholder for no value, and this column "
                    "needs one.",
                    value=cells[column].strip(),
                ),
            )
            return True
        return False

    if extra := cells.get("\x00extra"):
        problems.append(
            Problem(number, "", _quoted(extra), _("More cells than columns in the header."))
        )
    name = name_text(cells.get("person_name", ""))
    if placeholder("person_name"):
        name = ""
    elif not name:
        reject("person_name", _("The name is required (any script)."))
    elif len(name) > NAME_MAX_LEN:
        reject("person_name", _("A name may have at most %(n)s characters.", n=NAME_MAX_LEN))
    others = list(
        dict.fromkeys(o for o in map(name_text, _split(cells.get("other_names", ""))) if o)
    )
    for other in others:
        if len(other) > NAME_MAX_LEN:
            reject("other_names", _("A name may have at most %(n)s characters.", n=NAME_MAX_LEN))
    # "муж." and "жен." as forms abbreviate them.
    gender = _GENDERS.get(cells.get("gender", "").strip().rstrip(".").casefold())
    if gender is None:
        reject("gender", _("Use male, female, other or unknown (or м/ж, m/f)."))
    ethnicity_raw = " ".join(cells.get("ethnicity", "").split())
    person_data = {
        "gender": gender or "unknown",
        "birth_date": cells.get("birth_date", ""),
        "nationality": cells.get("nationality", ""),
        "ethnicity": _ETHNICITIES.get(
            ethnicity_raw.casefold().translate(_APOSTROPHES), ethnicity_raw
        ),
        "legal_status": vocab_code(LegalStatus, cells.get("legal_status", "")),
        "unhcr_number": cells.get("unhcr_number", ""),
        # No consent recorded is no consent: nothing identifying leaves the system.
        "consent": vocab_code(ConsentLevel, cells.get("consent", "")) or ConsentLevel.NONE.value,
    }
    # The day the consent was given (an optional column): read as the file's other dates are,
    # to the day; the person's rules then refuse a day to come.
    if "consent_date" in cells:
        day = FieldReader({"consent_date": cells["consent_date"]})
        day.day("consent_date")
        try:
            person_data["consent_date"] = day.values()["consent_date"]
        except ValidationFailed as exc:
            reject("consent_date", exc.errors["consent_date"][0])
    if born_doubt and born_doubt.start():
        person_data["birth_date_approximate"] = True
    person: dict[str, Any] = {}
    try:
        person = person_values(person_data)
    except ValidationFailed as exc:
        for column, messages in exc.errors.items():
            reject(column, messages[0])
    if born_doubt and born_doubt.start() and person.get("birth_date") is not None:
        warnings.append(
            Problem(
                number,
                "birth_date",
                _quoted(born),
                _("Read as an approximate date: the question mark says it is not sure."),
            )
        )
    if person.get("consent_date") and person.get("consent") == ConsentLevel.NONE:
        # A date without a consent: the row is imported with consent none, as the file says
        # (nothing identifying leaves the system), and no consent of that day is recorded.
        del person["consent_date"]
        warnings.append(
            Problem(
                number,
                "consent_date",
                _quoted(cells["consent_date"]),
                _(
                    "The row gives no consent (none), so the date of consent is not kept: "
                    "check which of the two is right."
                ),
            )
        )
    # A consent above none without its day, which the person forms ask for
    # (``consent_date_problem``): imported without it, each such row says so.
    elif person and consent_date_problem(person.get("consent"), person.get("consent_date")):
        warnings.append(
            Problem(
                number,
                "consent",
                _quoted(cells.get("consent", "")),
                _(
                    "The date the consent was given is not in the file: add it on the person's page."
                ),
            )
        )
    act_date = cells.get("act_date", "").strip()
    case_data = {
        "act_type": vocab_code(ActType, cells.get("act_type", "")),
        # "—" for the date of the act: unknown, as "unknown" is (kept as its note).
        "act_date": "unknown" if is_placeholder(act_date) else act_date,
        "act_place": cells.get("act_place", ""),
        "destination_country": cells.get("destination_country", ""),
        "current_situation": vocab_code(Situation, cells.get("current_situation", ""))
        or Situation.UNKNOWN.value,
        "after_return": cells.get("after_return", ""),
        "narrative": cells.get("narrative", ""),
        "urgency": vocab_code(Urgency, cells.get("urgency", "")) or Urgency.ROUTINE.value,
        "external_ref": cells.get("case_key", ""),
        # How the victim authorised the representation, and the day (optional columns).
        "authorisation": vocab_code(Authorisation, cells.get("authorisation", "")),
        "authorised_on": cells.get("authorised_on", ""),
        "authorised_by": cells.get("authorised_by", ""),
        "authorisation_note": cells.get("authorisation_note", ""),
        # Whether the matter went to another international procedure, and which (optional).
        "other_procedures": vocab_code(OtherProcedure, cells.get("other_procedures", "")),
        "other_procedures_details": cells.get("other_procedures_details", ""),
    }
    if doubt and doubt.start():
        case_data["act_date_approximate"] = True
    if within is not None:
        year, message = within
        if year is None:
            problems.append(Problem(number, "act_date", _quoted(written), message))
            del case_data["act_date"]
        else:
            case_data["act_date"] = year
    if placeholder("act_type"):
        case_data["act_type"] = ""
    elif not case_data["act_type"]:
        reject(
            "act_type",
            _("Say what happened: %(choices)s.", choices=", ".join(a.value for a in ActType)),
        )
    if not act_date and "act_date" not in no_year:
        reject("act_date", _("The date of the act is required (a year is enough, or unknown)."))
    if case_data["authorisation"] and Authorisation.parse(case_data["authorisation"]) is None:
        reject(
            "authorisation",
            _(
                "Say how the person authorised the representation: %(choices)s.",
                choices=", ".join(a.value for a in Authorisation),
            ),
        )
        case_data["authorisation"] = ""
    if (
        case_data["other_procedures"]
        and OtherProcedure.parse(case_data["other_procedures"]) is None
    ):
        reject(
            "other_procedures",
            _(
                "Say whether the matter went to another international procedure: %(choices)s.",
                choices=", ".join(p.value for p in OtherProcedure),
            ),
        )
        case_data["other_procedures"] = ""
    case: dict[str, Any] = {}
    try:
        case = case_values(case_data)
    except ValidationFailed as exc:
        for column, messages in exc.errors.items():
            reject("case_key" if column == "external_ref" else column, messages[0])
    if doubt and doubt.start() and case.get("act_date") is not None:
        warnings.append(
            Problem(
                number,
                "act_date",
                _quoted(written),
                _("Read as an approximate date: the question mark says it is not sure."),
            )
        )
    if within is not None:
        if case and within[0] is not None:
            case["act_date_note"] = written[:200]
            warnings.append(Problem(number, "act_date", _quoted(written), within[1]))
    elif case and act_date and case.get("act_date") is None:
        case["act_date_note"] = act_date[:200]
        warnings.append(
            Problem(number, "act_date", _quoted(act_date), _("Date unknown: kept as a note."))
        )
    elif case.get("act_date") is not None and case["act_date"].precision == "year":
        warnings.append(Problem(number, "act_date", act_date, _("Only the year is given.")))
    for agency in _split(cells.get("perpetrators", "")):
        if len(agency) > AGENCY_MAX_LEN:
            reject(
                "perpetrators",
                _(
                    "Keep this under %(max)s characters (it has %(n)s).",
                    max=AGENCY_MAX_LEN,
                    n=len(agency),
                ),
            )
            break
    provisions, bad = catalogue.resolve(cells.get("legal_grounds", ""))
    if bad:
        reject(
            "legal_grounds",
            _("Unknown or retired provision code(s): %(codes)s.", codes=", ".join(bad)),
        )
    if problems:
        return None, problems, warnings
    row = Row(
        number=number,
        case_key=grouping_key(cells.get("case_key", "")),
        names=[name, *[o for o in others if o != name]],
        person=person,
        case=case,
        perpetrators=_split(cells.get("perpetrators", "")),
        sources=_split(cells.get("sources", "")),
        provisions=provisions,
    )
    return row, problems, warnings


# Letters of the region's names a single-byte encoding may lack (Kazakh, then Uzbek ones).
_LETTERS_LOST = "\u049b\u0493\u04d9\u045e\u04b3"


def _lost_letters(number: int, cells: dict[str, str], encoding: str) -> list[Problem]:
    """The names of a row read in a single-byte encoding that hold "?", the mark such a file
    has where a letter was that its encoding lacks: a name so saved is not the person's."""
    lacks = [c for c in _LETTERS_LOST if c.encode(encoding, errors="replace") == b"?"]
    return [
        Problem(
            number,
            column,
            _quoted(cells[column]),
            _(
                "\u201c?\u201d may stand for a letter the file's encoding (%(encoding)s) cannot "
                "hold, such as %(letters)s: save the file as CSV UTF-8 and check it again, or "
                "correct the name after the import.",
                encoding=encoding.upper(),
                letters=", ".join(lacks[:3]),
            ),
        )
        for column in ("person_name", "other_names")
        if "?" in cells.get(column, "")
    ]


# --- rows of one case -----------------------------------------------------------------------

# Texts each row of a case may add to: kept in full, each text once, in the order of the rows.
_CASE_TEXTS = ("narrative", "after_return", "authorisation_note", "other_procedures_details")
# Facts of a case that one value holds: the first row's stands, another is a warning.
_CASE_SINGLE = (
    "current_situation", "destination_country", "authorisation", "authorised_on",
    "authorised_by", "other_procedures",
)  # fmt: skip
# What a fact holds when the row says nothing of it: a later row's value fills it.
_NOT_SAID = (None, Situation.UNKNOWN, Authorisation.NOT_RECORDED, OtherProcedure.NOT_STATED)
_URGENCY_ORDER = list(Urgency)


def merge_case_rows(rows: list[Row]) -> list[Problem]:
    """Fold what later rows of a case say about the case into its first row (the one that
    creates it): several people, several acts, one case. Texts are joined, legal grounds
    united, the most urgent urgency kept; nothing a later row says is dropped without a word.
    Returns the warnings (a later row that contradicts the case)."""
    first: dict[str, Row] = {}
    warnings: list[Problem] = []
    for row in rows:
        if not row.case_key:
            continue
        if row.case_key not in first:
            first[row.case_key] = row
            continue
        case, later = first[row.case_key].case, row.case
        for column in _CASE_TEXTS:
            texts = [t for t in (case.get(column), later.get(column)) if t]
            case[column] = "\n\n".join(dict.fromkeys(texts)) or None
        case["urgency"] = max(case["urgency"], later["urgency"], key=_URGENCY_ORDER.index)
        for column in _CASE_SINGLE:
            value, other = case.get(column), later.get(column)
            if other in _NOT_SAID or other == value:
                continue
            if value in _NOT_SAID:
                case[column] = other
                continue
            warnings.append(
                Problem(
                    row.number,
                    column,
                    str(other),
                    _("The case already says %(value)s: kept.", value=value),
                )
            )
        provisions = first[row.case_key].provisions
        provisions += [p for p in row.provisions if p not in provisions]
    return warnings


# --- duplicates -----------------------------------------------------------------------------


def _already_imported(actor: Any, rows: list[Row]) -> list[tuple[Row, str]]:
    """The rows whose ``case_key`` is the own reference of a case already recorded (compared as
    ``grouping_key`` compares keys), with that case's reference: a file imported again. Cases
    the actor may read only (as possible duplicates are), and not a discarded draft. The own
    reference is encrypted: the file's keys are looked up by their blind-index keys
    (``Case.external_ref_key``), so no other case is read and no reference decrypted."""
    by_token = {external_ref_key(k): k for k in {r.case_key for r in rows if r.case_key}}
    found: dict[str, str] = {}
    for tokens in in_chunks(sorted(by_token)):
        matches = db.session.execute(
            select(Case.external_ref_key, Case.reference)
            .where(
                Case.external_ref_key.in_(tokens),
                Case.external_ref_key.is_not(None),  # the partial index's condition
                permissions.readable_cases_clause(actor),
                Case.hidden_at.is_(None),
            )
            .order_by(Case.id)
        )
        for key, reference in matches:
            found.setdefault(by_token[key], reference)
    return [(r, found[r.case_key]) for r in rows if r.case_key in found]


def _duplicates(actor: Any, rows: list[Row]) -> list[dict[str, Any]]:
    """Rows that look like people already recorded (that the actor may see), or earlier rows."""
    results = match_many(
        actor,
        [Query(r.names, r.birth_year, r.person.get("nationality")) for r in rows],
        limit=5,
    )
    seen_keys: dict[tuple[str, str], list[int]] = {}
    names_of: dict[int, list[str]] = {}
    report = []
    for row, found in zip(rows, results, strict=True):
        names_of[row.number] = row.names
        earlier: set[int] = set()
        for text in row.names:
            for key in query_keys(text):
                earlier.update(seen_keys.get(key, ()))
        # Compared with the nearest earlier rows only: a namesake-heavy file stays linear.
        same_rows = sorted(
            other
            for other in sorted(earlier)[-50:]
            if any(
                text_similarity(q, c) >= MATCH_THRESHOLD for q in row.names for c in names_of[other]
            )
        )
        for text in row.names:
            for key in name_keys(text):
                seen_keys.setdefault(key, []).append(row.number)
        if found or same_rows:
            report.append(
                {
                    "row": row.number,
                    "people": [
                        {
                            "person": c.person.public_id,
                            "names": c.names,
                            "score": round(c.score, 1),
                            "matched_name": c.matched_name,
                        }
                        for c in found
                    ],
                    "rows": same_rows,
                }
            )
    return report


# --- writing --------------------------------------------------------------------------------


def _paging(rows: list[dict[str, Any]]) -> dict[str, int]:
    # PostgreSQL's driver (psycopg) caches its parse of statements of up to 50 parameters:
    # pages that small cost less than long statements parsed anew. SQLite needs no such care.
    if db.session.get_bind().dialect.name != "postgresql":
        return {}
    return {"insertmanyvalues_page_size": max(1, 50 // (len(rows[0]) + 1))}


_PG_ARRAY_TYPES = {int: "bigint", str: "text"}


def _insert_plain(target: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows of plain integers and strings (keys, link tables) as fast as the database
    allows: on PostgreSQL one ``INSERT ... SELECT unnest(arrays)`` per batch."""
    if not rows:
        return
    table = getattr(target, "__table__", target)
    if db.session.get_bind().dialect.name != "postgresql":
        _insert(target, rows)
        return
    columns = list(rows[0])
    arrays = ", ".join(f"CAST(:{c} AS {_PG_ARRAY_TYPES[type(rows[0][c])]}[])" for c in columns)
    # Table and column names come from the models, never from input.
    statement = sql_text(
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"  # noqa: S608  # nosec B608
    )
    db.session.execute(statement, {c: [r[c] for r in rows] for c in columns})


def _inserted_ids(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` as objects of ``model``; their new ids, in order.

    Through the unit of work, not a bulk INSERT: encrypted columns are sealed and audit entries
    chained by the ORM's events, which a bulk statement would bypass (SQLAlchemy still batches
    the INSERTs of a flush).
    """
    if not rows:
        return []
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if not _needs_orm(model, rows) and postgresql:
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(db.session.scalars(stmt, rows, execution_options=_paging(rows)))
    ids = _reserve_ids(model, len(rows))
    if not _needs_orm(model, rows):
        # SQLite cannot return the ids of a many-row INSERT in order: SQLAlchemy would send
        # one INSERT per row. With the ids taken first, one statement inserts them all.
        db.session.execute(
            insert(model), [{"id": row_id, **row} for row_id, row in zip(ids, rows, strict=True)]
        )
        return ids
    objects = [model(id=row_id, **row) for row_id, row in zip(ids, rows, strict=True)]
    db.session.add_all(objects)
    db.session.flush()
    return ids


def _needs_orm(model: Any, rows: list[dict[str, Any]]) -> bool:
    """Must these rows go through the unit of work? Audit entries (chained by its events) and
    rows with a value for an encrypted column (sealed by its events) must; others need not."""
    if model is AuditEntry:
        return True
    secret = [attr for attr, _col in secret_attributes(model.__mapper__)]
    return any(row.get(attr) is not None for row in rows for attr in secret)


def _reserve_ids(model: Any, count: int) -> list[int]:
    """``count`` new primary keys for ``model``, taken before the INSERT: an encrypted value is
    bound to its row id, so with the ids known the values are sealed in the INSERT itself
    (``core.sealing``) rather than by one UPDATE per row after it."""
    table = model.__table__.name
    if db.session.get_bind().dialect.name == "postgresql":
        # The table's own sequence: safe with any number of concurrent writers.
        return list(
            db.session.scalars(
                sql_text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"table": table, "count": count},
            )
        )
    # SQLite has one writer at a time: once this transaction holds the write lock (the
    # import has written by now, and a write below takes it if not), max(id) stays ours.
    db.session.execute(sql_text(f"UPDATE {table} SET id = id WHERE 0"))  # noqa: S608  # nosec B608
    top = db.session.scalar(select(func.max(model.id))) or 0
    return list(range(top + 1, top + 1 + count))


def _insert(target: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``: objects of a mapped class through the ORM (see ``_inserted_ids``),
    rows of a bare link table as multi-row statements."""
    if not rows:
        return
    if hasattr(target, "__mapper__") and _needs_orm(target, rows):
        _inserted_ids(target, rows)
        return
    target = getattr(target, "__table__", target)
    first = next(iter(target.primary_key.columns))
    db.session.execute(insert(target).returning(first), rows, execution_options=_paging(rows)).all()


class _Writer:
    """Writes rows in batches with bulk INSERTs: a few statements per batch, not per row."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.next_number: dict[int, int] = {}
        self.places: dict[str, int | None] = {}
        self.agencies: dict[str, int] = {}
        self.case_ids: dict[str, int] = {}
        # Per case: the event of each act, and the source of each name (one source of a case
        # may report several acts and people).
        self.acts: dict[int, dict[tuple[Any, ...], int]] = {}
        self.sources: dict[tuple[int, str], int] = {}
        self.links: set[tuple[Any, int, int]] = set()
        self.rows: list[Row] = []
        self.audit: list[dict[str, Any]] = []
        self.created = {"cases": 0, "people": 0}

    def _reference(self, year: int) -> str:
        prefix = reference_prefix(year)
        if year not in self.next_number:
            # Numbers are taken from the last one given once per year and import: no other
            # intake or import may take one until this import commits, on any server.
            transaction_lock(CASE_REFERENCES)
            self.next_number[year] = last_reference_number(prefix) + 1
        number = self.next_number[year]
        self.next_number[year] += 1
        return f"{prefix}{number:04d}"

    def _place_id(self, name: str | None) -> int | None:
        if not name:
            return None
        key = name.casefold()
        if key not in self.places:
            place = get_or_create_place(name)
            self.places[key] = place.id if place is not None else None
        return self.places[key]

    def _agency_ids(self, names: list[str]) -> list[int]:
        result: list[int] = []
        for name in names:
            key = name.casefold()
            if key not in self.agencies:
                self.agencies[key] = get_or_create_agencies([name])[0].id
            if self.agencies[key] not in result:
                result.append(self.agencies[key])
        return result

    def _audit(self, action: str, object_type: str, public_id: str, case_id: int) -> None:
        self.audit.append(
            {
                "actor_id": self.actor.id,
                "action": action,
                "object_type": object_type,
                "object_id": public_id,
                "case_id": case_id,
                "details": {"imported": True},
            }
        )

    def _new_links(self, table: Any, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The (event, other) pairs of ``table`` not linked yet, each once."""
        fresh = []
        for pair in pairs:
            if (table.name, *pair) not in self.links:
                self.links.add((table.name, *pair))
                fresh.append(pair)
        return fresh

    def _link_agencies(self, rows: list[Row], row_events: list[int]) -> None:
        pairs = [
            (event_id, agency_id)
            for row, event_id in zip(rows, row_events, strict=True)
            for agency_id in self._agency_ids(row.perpetrators)
        ]
        links = self._new_links(event_agencies, pairs)
        if links:
            _insert_plain(event_agencies, [{"event_id": e, "agency_id": a} for e, a in links])

    def _link_sources(self, rows: list[Row], row_events: list[int], row_cases: list[int]) -> None:
        new: dict[tuple[int, str], dict[str, Any]] = {}
        for row, case_id in zip(rows, row_cases, strict=True):
            for s in row.sources:
                key = (case_id, s.casefold())
                if key not in self.sources and key not in new:
                    new[key] = {
                        "case_id": case_id,
                        "kind": _SOURCE_KINDS.get(s.casefold(), SourceKind.OTHER),
                        "identity": s,
                        "identity_protected": True,
                        "created_by_id": self.actor.id,
                    }
        ids = _inserted_ids(Source, list(new.values()))
        self.sources.update(zip(new, ids, strict=True))
        pairs = [
            (event_id, self.sources[(case_id, s.casefold())])
            for row, event_id, case_id in zip(rows, row_events, row_cases, strict=True)
            for s in row.sources
        ]
        links = self._new_links(event_sources, pairs)
        if links:
            _insert_plain(event_sources, [{"event_id": e, "source_id": s} for e, s in links])

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        actor = self.actor.id
        # Cases: one per case_key (across batches), or one per row without a key.
        starters = []
        keys_in_batch: set[str] = set()
        for row in rows:
            if row.case_key and (row.case_key in self.case_ids or row.case_key in keys_in_batch):
                continue
            if row.case_key:
                keys_in_batch.add(row.case_key)
            starters.append(row)
        case_rows = []
        for row in starters:
            values = dict(row.case)
            year = values["act_date"].year if values.get("act_date") else date.today().year
            case_rows.append(
                {
                    "public_id": new_public_id(),
                    "reference": self._reference(year),
                    "created_by_id": actor,
                    "status": CaseStatus.DRAFT,
                    **values,
                }
            )
        case_ids = _inserted_ids(Case, case_rows)
        own_case: dict[int, int] = {}
        for row, case_id, values in zip(starters, case_ids, case_rows, strict=True):
            own_case[id(row)] = case_id
            if row.case_key:
                self.case_ids[row.case_key] = case_id
            self._audit("case.created", "cases", values["public_id"], case_id)
        self.created["cases"] += len(case_ids)
        _insert(
            CaseMember,
            [
                {
                    "case_id": c,
                    "user_id": actor,
                    "team_role": TeamRole.CREATOR,
                    "added_by_id": actor,
                }
                for c in case_ids
            ],
        )
        _insert(
            StatusChange,
            [
                {
                    "case_id": c,
                    "to_status": CaseStatus.DRAFT,
                    "author_id": actor,
                    "comment": "Imported from a spreadsheet",
                }
                for c in case_ids
            ],
        )
        # Each act (the first of a case, or another act in a later row of the same case) is an
        # event of the timeline; every row's agencies and sources are those of its act.
        acts: list[tuple[Row, int, tuple[Any, ...]]] = []
        signatures: list[tuple[int, tuple[Any, ...]]] = []
        new_acts: set[tuple[int, tuple[Any, ...]]] = set()
        for row in rows:
            case_id = own_case.get(id(row)) or self.case_ids[row.case_key]
            c = row.case
            signature = (c["act_type"], str(c.get("act_date") or c.get("act_date_note")),
                         (c.get("act_place") or "").casefold())  # fmt: skip
            if signature not in self.acts.setdefault(case_id, {}) and (
                (case_id, signature) not in new_acts
            ):
                new_acts.add((case_id, signature))
                acts.append((row, case_id, signature))
            signatures.append((case_id, signature))
        event_ids = _inserted_ids(
            Event,
            [
                {
                    "case_id": case_id,
                    "created_by_id": actor,
                    "event_type": act_event_type(
                        row.case["act_type"], row.case["urgency"], row.case["current_situation"]
                    ),
                    "act_type": row.case["act_type"],
                    "date": row.case.get("act_date"),
                    "date_note": row.case.get("act_date_note"),
                    "destination_country": row.case.get("destination_country"),
                    "place_id": self._place_id(row.case.get("act_place")),
                }
                for row, case_id, _ in acts
            ],
        )
        for (_row, case_id, signature), event_id in zip(acts, event_ids, strict=True):
            self.acts[case_id][signature] = event_id
        row_events = [self.acts[case_id][signature] for case_id, signature in signatures]
        self._link_agencies(rows, row_events)
        self._link_sources(rows, row_events, [case_id for case_id, _ in signatures])
        provision_rows = [
            {
                "case_id": own_case[id(row)],
                "provision_id": provision.id,
                "assessment": Assessment.RELEVANT,
                "state": LinkState.SUGGESTED,
                "created_by_id": actor,
            }
            for row in starters
            for provision in row.provisions
        ]
        if provision_rows:
            _insert(CaseProvision, provision_rows)
        # People, their names and matching keys, and their link to the case.
        person_rows = [
            {
                "public_id": new_public_id(),
                "created_by_id": actor,
                **row.person,
                "consent_obtained_by_id": (
                    actor
                    if row.person.get("consent", ConsentLevel.NONE) != ConsentLevel.NONE
                    else None
                ),
            }
            for row in rows
        ]
        person_ids = _inserted_ids(Person, person_rows)
        self.created["people"] += len(person_ids)
        row_case = [own_case.get(id(row)) or self.case_ids[row.case_key] for row in rows]
        _insert(
            CasePerson,
            [
                {"case_id": c, "person_id": p, "role": CaseRole.AT_RISK}
                for c, p in zip(row_case, person_ids, strict=True)
            ],
        )
        name_rows = [
            {
                "person_id": person_id,
                "name": text,
                "script": detect_script(text),
                "kind": NameKind.AS_GIVEN if position == 0 else NameKind.ALIAS,
                "position": position,
            }
            for row, person_id in zip(rows, person_ids, strict=True)
            for position, text in enumerate(row.names)
        ]
        name_ids = _inserted_ids(PersonName, name_rows)
        keys = [
            {"person_id": n["person_id"], "name_id": name_id, "kind": kind, "token": tok}
            for n, name_id in zip(name_rows, name_ids, strict=True)
            for kind, tok in name_tokens(n["name"])
        ]
        if keys:
            _insert_plain(PersonNameKey, keys)
        for values, case_id in zip(person_rows, row_case, strict=True):
            self._audit("person.created", "people", values["public_id"], case_id)
        _insert(AuditEntry, self.audit)
        self.audit = []


def import_cases(
    actor: Any,
    table: Table,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
    write_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every row of ``table``; write the cases unless told not to (see module doc).
    The table's rows are consumed: ``table.rows`` is empty afterwards.

    Raises UnusableInput for a file that cannot be imported at all, PermissionDenied for an
    account that may not import. The caller commits (or rolls back) the session.
    """
    if not permissions.can_import_cases(actor):
        raise PermissionDenied("Only a coordinator can import cases.")
    numbering = _row_numbers(table, options.mapping)
    columns = map_columns(table.headers, {**dict.fromkeys(numbering), **options.mapping})
    if not table.rows and not table.unread:
        raise UnusableInput(_("The file has a header but no rows: there is nothing to import."))
    report = ImportReport(
        rows_read=len(table.rows) + len(table.unread),
        dry_run=options.dry_run,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
    report.warnings.extend(
        Problem(
            number,
            "",
            _quoted(text),
            _(
                "Above the header row (row %(row)s): skipped, not imported.",
                row=table.header_row,
            ),
        )
        for number, text in table.skipped
    )
    report.warnings.extend(
        Problem(
            table.header_row,
            "",
            header,
            _("The rows' own numbers: this column is left out, not imported."),
        )
        for header in numbering
    )
    if table.other_sheets:
        report.warnings.append(
            Problem(
                table.header_row,
                "",
                "",
                _(
                    "Only sheet %(sheet)s of the workbook was read: sheet(s) %(others)s also "
                    "have the columns of cases and were not imported. Import each by its name "
                    "(Sheet).",
                    sheet=(table.sheet or 0) + 1,
                    others=", ".join(map(str, table.other_sheets)),
                ),
            )
        )
    report.warnings.extend(
        Problem(
            number,
            columns.get(header, header),
            _quoted(text),
            _(
                "A formula saved without the value it shows (the program that wrote the file "
                "computed none): imported as its text. Open the file in a spreadsheet program "
                "and save it again to import the value."
            ),
        )
        for number, header, text in table.formulas
        if header in columns
    )
    catalogue = _Catalogue()
    rows: list[Row] = []
    header_keys = {h: header_key(h) for h in table.headers if h}
    # Each row's cells go once it is parsed: a large file's are not kept beside its parsed rows
    # to the end of the check (its people matched against those recorded).
    cells_left, table.rows = table.rows, []
    cells_left.reverse()
    while cells_left:
        number, cells = cells_left.pop()
        mapped = mapped_cells(cells, columns)
        if "\x00extra" in cells:
            mapped["\x00extra"] = cells["\x00extra"]
        repeated = all(header_key(cells.get(h, "")) == k for h, k in header_keys.items())
        if repeated or not any(v.strip() for v in mapped.values()):
            # The header again (files pasted together), or a row with values only in columns
            # left out (a template's row numbers, "24;;;"): no person to import.
            report.rows_read -= 1
            if repeated:
                report.warnings.append(
                    Problem(number, "", "", _("The header row again: skipped, not imported."))
                )
            if progress is not None:
                progress(1)
            continue
        row, problems, warnings = parse_row(number, mapped, catalogue)
        report.rejected.extend(problems)
        report.warnings.extend(warnings)
        if row is not None and table.single_byte:
            report.warnings.extend(_lost_letters(number, mapped, table.encoding or ""))
        if row is not None:
            rows.append(row)
        if progress is not None:
            progress(1)
    if not report.rows_read:
        raise UnusableInput(_("The file has a header but no rows: there is nothing to import."))
    # Rows the file does not let be read as rows, each where it stands among the others.
    report.rejected += [Problem(n, "", _quoted(line), why) for n, line, why in table.unread]
    report.rejected.sort(key=lambda problem: problem.row)
    for row, reference in _already_imported(actor, rows):
        report.rejected.append(
            Problem(
                row.number,
                "case_key",
                _quoted(row.case.get("external_ref") or ""),
                _("Already imported as case %(reference)s.", reference=reference),
            )
        )
    # People of a file imported again are still people already recorded: said as such.
    report.possible_duplicates = _duplicates(actor, rows)
    skipped = report.rejected_rows
    rows = [r for r in rows if r.number not in skipped]
    report.warnings.extend(merge_case_rows(rows))
    writable = not report.rejected or options.valid_only
    if options.dry_run or not writable:
        report.created = _would_create(rows) if writable else {"cases": 0, "people": 0}
        return report
    writer = _Writer(actor)
    for i, row in enumerate(rows, start=1):
        writer.add(row)
        if i % BATCH == 0:
            writer.flush()
            if write_progress is not None:
                write_progress(BATCH)
    writer.flush()
    if write_progress is not None and len(rows) % BATCH:
        write_progress(len(rows) % BATCH)
    record(
        actor,
        "import.cases",
        object_type="import",
        cases=writer.created["cases"],
        people=writer.created["people"],
        rejected_rows=len(report.rejected_rows),
    )
    report.created = writer.created
    report.written = True
    return report


def _would_create(rows: Iterable[Row]) -> dict[str, int]:
    rows = list(rows)
    keys = {r.case_key for r in rows if r.case_key}
    return {"cases": len(keys) + sum(1 for r in rows if not r.case_key), "people": len(rows)}
