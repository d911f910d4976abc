"""Column types: partial dates, secrets (identifying data) and vocabulary columns."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import String, Text
from sqlalchemy.types import TypeDecorator

from casework.core.crypto import PlaintextRefused, Sealed
from casework.core.i18n import N_
from casework.core.vocab import Vocab


class SecretText(TypeDecorator[str]):
    """Identifying data (names, contacts, addresses, UNHCR numbers, narratives, source identities),
    encrypted at rest: declare a column ``mapped_column(SecretText)`` and nothing else changes.

    The stored text is ``cw1:<key id>:<base64url(nonce || ciphertext || tag)>`` (format in
    ``casework.core.crypto``), AES-256-GCM bound to its table, column and row primary key.
    Because a type does not see the row, the ORM events in ``casework.core.sealing`` seal a
    value when its row is flushed and open it when the row is loaded; this type only carries
    sealed values across:

    - writing accepts a ``Sealed`` value or None; plain text raises ``PlaintextRefused``, so a
      bulk UPDATE fails loudly instead of storing plaintext. A query that filters, sorts or
      groups on the column raises ``EncryptedColumnInSQL`` (``sealing.py``): do that in Python,
      over the rows already loaded;
    - reading returns ``Sealed`` (which refuses ``str()``) until the ORM opens it, so a value
      selected as a bare column can never be shown as ciphertext.

    The table must be mapped by an ORM class with a one-column primary key (checked when the
    mappers are configured). Ciphertext is longer than the text: the column is TEXT.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.text
        raise PlaintextRefused(
            "plain text reached an encrypted column: write it through the ORM, and filter "
            "encrypted columns in Python, not in SQL"
        )

    def process_result_value(self, value: Any, dialect: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def plaintext(self, value: Any) -> str:
        """The text sealed for the attribute's ``value`` (``casework.core.sealing``)."""
        if not isinstance(value, str):
            raise PlaintextRefused(
                f"an encrypted text column takes text, not {type(value).__name__}"
            )
        return value

    def from_plaintext(self, text: str) -> Any:
        """The attribute's value for the opened ``text``."""
        return text


class SecretDate(SecretText):
    """A day that identifies someone (the day a victim authorised the representation),
    encrypted at rest as its ISO text (``2012-03-01``) like any ``SecretText`` value; the
    attribute is a ``date``. As with every encrypted column, SQL cannot compare or sort it."""

    cache_ok = True

    def plaintext(self, value: Any) -> str:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise PlaintextRefused(
                f"an encrypted date column takes a date, not {type(value).__name__}"
            )
        return value.isoformat()

    def from_plaintext(self, text: str) -> date:
        return date.fromisoformat(text)


# Year first: 1979, 1979-04, 1979-04-12, and as spreadsheets write it, 1979-4-1 or 1979/04/12.
_PARTIAL_RE = re.compile(r"^(\d{4})(?:([-/])(\d{1,2})(?:\2(\d{1,2}))?)?$")
# A day followed by a time of day, as a spreadsheet exports a date cell: the time is dropped.
_TIME_RE = re.compile(r"(?<=\d)(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_DOTTED_RE = re.compile(r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$")
# "в 2011 году", "in March 2011": the preposition a sentence puts before a date.
DATE_PREPOSITION = re.compile(r"^(?:в|во|in)\s+", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{1,2})[./-](\d{4})$")
# A month by name, as Russian and English text writes dates: "апрель 2011", "12 апреля 1979 г.",
# "апр. 2011", "April 2011", "12 Apr 2011"; the day as an ordinal too ("1-го декабря 2011",
# "1st December 2011", "3rd of May 2012").
_NAMED_MONTH_RE = re.compile(
    r"^(?:(\d{1,2})(?:-?(?:ого|его|го|ое|е)|st|nd|rd|th)?\s+(?:of\s+)?)?"
    r"([^\W\d_]{3,})\.?,?\s*(\d{4})$",
    re.IGNORECASE,
)
# "1979 г.", "12.04.1979г", "2011 года": the Russian word for year after a date ("2011 ж.",
# "2011 жылы" in Kazakh; "2011-yil", "2011 y.", "2011 йил" in Uzbek).
YEAR_WORD = r"(?:г\.?|год[ау]?|ж\.?|жыл(?:ы|ғы)?|yil(?:i|da)?|y\.?|йил(?:и|да)?|й\.?)"
_YEAR_WORD_RE = re.compile(rf"(?<=\d)(?:\s*|-){YEAR_WORD}$", re.IGNORECASE)
# Russian in each case a date uses it: "апрель 2011", "12 апреля", "в апреле 2011".
_MONTH_NAMES = (
    ("январь", "января", "январе", "january"), ("февраль", "февраля", "феврале", "february"),
    ("март", "марта", "марте", "march"), ("апрель", "апреля", "апреле", "april"),
    ("май", "мая", "мае", "may"), ("июнь", "июня", "июне", "june"),
    ("июль", "июля", "июле", "july"), ("август", "августа", "августе", "august"),
    ("сентябрь", "сентября", "сентябре", "september"),
    ("октябрь", "октября", "октябре", "october"), ("ноябрь", "ноября", "ноябре", "november"),
    ("декабрь", "декабря", "декабре", "december"),
)  # fmt: skip
# Uzbek names the months in Latin letters ("12-yanvar 2011"); in Cyrillic, as Russian does
# without its soft sign ("январ", "феврал"), which the Russian names already start with.
_UZBEK_MONTH_NAMES = (
    "yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust", "sentyabr", "oktyabr",
    "noyabr", "dekabr",
)  # fmt: skip
# Kazakh names the months (with no case ending in a date: "12 сәуір 2011"), in Cyrillic, in the
# Latin alphabet of 2021 and as Latin is typed without its marks.
_KAZAKH_MONTH_NAMES = (
    ("қаңтар", "qañtar", "qantar"), ("ақпан", "aqpan"), ("наурыз", "nauryz"),
    ("сәуір", "säuır", "sauir"), ("мамыр", "mamyr"), ("маусым", "mausym"),
    ("шілде", "şılde", "shilde"), ("тамыз", "tamyz"), ("қыркүйек", "qyrküiek", "qyrkuiek"),
    ("қазан", "qazan"), ("қараша", "qaraşa", "qarasha"), ("желтоқсан", "jeltoqsan", "zheltoqsan"),
)  # fmt: skip


def month_number(word: str) -> int | None:
    """The month a name or its abbreviation of three letters or more stands for; None for an
    abbreviation of two months ("iyu": iyun or iyul)."""
    word = word.casefold()
    names = zip(_MONTH_NAMES, _KAZAKH_MONTH_NAMES, _UZBEK_MONTH_NAMES, strict=True)
    found = {
        number
        for number, (russian, kazakh, uzbek) in enumerate(names, 1)
        if any(name.startswith(word) for name in itertools.chain(russian, kazakh, (uzbek,)))
    }
    return found.pop() if len(found) == 1 else None


class PartialDateError(ValueError):
    """A text that is not a date of any accepted precision: ``message`` (marked for translation)
    with its ``params``; ``str()`` gives it in English."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    Stored as ISO text (``2011``, ``2011-06``, ``2011-06-09``), which sorts chronologically
    with the less precise date first. "Unknown" is represented by ``None``.
    """

    year: int
    month: int | None = None
    day: int | None = None

    MIN_YEAR: ClassVar[int] = 1900
    MAX_YEAR: ClassVar[int] = 2100

    def __post_init__(self) -> None:
        if not self.MIN_YEAR <= self.year <= self.MAX_YEAR:
            raise PartialDateError(
                N_("year %(year)s is out of range (%(min)s-%(max)s)"),
                year=self.year,
                min=self.MIN_YEAR,
                max=self.MAX_YEAR,
            )
        if self.month is None and self.day is not None:
            raise PartialDateError(N_("a day needs a month"))
        if self.month is not None and not 1 <= self.month <= 12:
            raise PartialDateError(N_("month %(month)s does not exist"), month=self.month)
        if self.day is not None:
            try:
                date(self.year, self.month or 1, self.day)
            except ValueError as exc:
                raise PartialDateError(N_("%(date)s is not a real date"), date=self.iso()) from exc

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def iso(self) -> str:
        """ISO text at this date's precision."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def earliest(self) -> date:
        """The first day this date may stand for."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """The last day this date may stand for."""
        if self.day is not None:
            return self.earliest()
        if self.month is None:
            return date(self.year, 12, 31)
        nxt = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    def __str__(self) -> str:
        return self.iso()

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @classmethod
    def parse(cls, text: str | None) -> PartialDate | None:
        """Parse ``1979``, ``1979-04``, ``1979-04-12``, ``12.04.1979``, ``04.1979``, ``04/1979``
        (also ``1979-4-1``, ``1979/04/12``, a day followed by a time, which is dropped, a month
        by name, ``12 апреля 1979`` or ``April 1979``, and ``1979 г.``).

        Empty text and ``unknown`` give None; anything else unreadable raises PartialDateError.
        """
        if text is None:
            return None
        text = text.strip()
        if not text or text.lower() in {"unknown", "?", "n/a", "неизвестно"}:
            return None
        # "в 2011 году", "в декабре 2011 г.", "in March 2011": as a sentence says a date.
        text = _YEAR_WORD_RE.sub("", _TIME_RE.sub("", DATE_PREPOSITION.sub("", text)))
        if m := _PARTIAL_RE.match(text):
            y, _sep, mo, d = m.groups()
            return cls(int(y), int(mo) if mo else None, int(d) if d else None)
        if m := _DOTTED_RE.match(text):
            d, mo, y = m.groups()
            return cls(int(y), int(mo), int(d) if d else None)
        if m := _MONTH_RE.match(text):
            mo, y = m.groups()
            return cls(int(y), int(mo))
        if (m := _NAMED_MONTH_RE.match(text)) and (mo := month_number(m[2])):
            return cls(int(m[3]), mo, int(m[1]) if m[1] else None)
        raise PartialDateError(
            N_(
                "\u201c%(text)s\u201d is not a date: use YYYY, YYYY-MM, YYYY-MM-DD, "
                "DD.MM.YYYY or MM.YYYY"
            ),
            text=text,
        )


class PartialDateType(TypeDecorator[PartialDate]):
    """Stores a PartialDate as sortable ISO text."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = PartialDate.parse(value)
            return value.iso() if value else None
        if isinstance(value, date):
            value = PartialDate.from_date(value)
        return value.iso()

    def process_result_value(self, value: Any, dialect: Any) -> PartialDate | None:
        return PartialDate.parse(value) if value else None


class VocabType(TypeDecorator[Vocab]):
    """A vocabulary column stored as its short code in a VARCHAR (no native enum).

    Not a database enum on purpose: adding a vocabulary term must not need a migration.
    """

    impl = String(40)
    cache_ok = True

    def __init__(self, vocab: type[Vocab]) -> None:
        super().__init__()
        self.vocab = vocab

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.vocab(value).value

    def process_result_value(self, value: Any, dialect: Any) -> Vocab | None:
        if value is None:
            return None
        try:
            return self.vocab(value)
        except ValueError:
            # A term retired from the vocabulary still reads back, as plain text.
            return value  # type: ignore[return-value]
