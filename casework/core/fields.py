"""Reading and validating record fields from a form or an import, one rule per kind of field.

Only the keys present in the input are read, so a partial update leaves other fields alone.
Every error is collected before ``values()`` raises them together.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from casework.core import countries
from casework.core.errors import ValidationFailed
from casework.core.i18n import N_, format_partial_date
from casework.core.i18n import gettext as _
from casework.core.types import PartialDate, PartialDateError
from casework.core.vocab import Vocab

# "c. 2010", "ca 2010", "circa 2010", "approx. 2010", "about 2010", "~2010", "около 2010",
# "ок. 2010", "прибл. 2010".
_APPROXIMATE_RE = re.compile(
    # Each word whole (followed by a space, a digit or nothing): "c" is not the start of
    # "circa", nor "прибл" of "приблизительно".
    r"^\s*(?:(?:c\.?|ca\.?|circa|approx\.?|approximately|about|around|около|ок\.|примерно"
    r"|прибл\.?|приблизительно)(?=[\s\d]|$)|~)\s*",
    re.IGNORECASE,
)

# A day named relative to the day it is typed: how many days back. In the interface's
# languages, and in those monitors type in the field: Uzbek (Latin and Cyrillic) and Kazakh.
_DAYS_BACK = {
    "today": 0, "сегодня": 0, "bugun": 0, "бугун": 0, "бүгін": 0,
    "yesterday": 1, "вчера": 1, "kecha": 1, "кеча": 1, "кеше": 1,
    "day before yesterday": 2, "the day before yesterday": 2, "позавчера": 2,
    "o'tgan kuni": 2, "ўтган куни": 2, "алдыңғы күні": 2,
}  # fmt: skip
# The apostrophes Uzbek Latin is typed with (o‘, oʻ, o’, o`): one for the lookup.
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bb": "'", "\u02bc": "'", "`": "'"})


def without_approximate_word(text: str) -> str:
    """``text`` without the word before it that says it is approximate ("около 2010": "2010");
    as it is when it has none."""
    return _APPROXIMATE_RE.sub("", text, count=1)


def days_back(text: Any) -> int | None:
    """How many days before the day of typing ``text`` names ("вчера": 1), in any case and
    with any punctuation after it; None when it is not such a word. Never a day ahead: a
    relative word cannot give a future date."""
    if not isinstance(text, str):
        return None
    words = " ".join(text.casefold().translate(_APOSTROPHES).split())
    while words and unicodedata.category(words[-1]).startswith("P"):
        words = words[:-1].rstrip()
    return _DAYS_BACK.get(words)


def read_as(message: str, *typed: tuple[Any, PartialDate | None]) -> str:
    """``message``, followed for each (text typed, date saved) whose text was a relative word
    by what it was saved as ("“вчера” was read as 28.02.2027."): the page after the save shows
    the day, so that a slip is seen at once."""
    notes = [
        _(
            "\u201c%(text)s\u201d was read as %(date)s.",
            text=text.strip(),
            date=format_partial_date(value),
        )
        for text, value in typed
        if value is not None
        and isinstance(text, str)
        and days_back(_APPROXIMATE_RE.sub("", text, count=1)) is not None
    ]
    return " ".join([message, *notes])


class FieldReader:
    """``typed_on`` is the day a person typed the input (a web form is read as it is sent):
    "today", "вчера" and "позавчера" are read against it. Without it (an API call, an import
    file, written some time before they are read) those words are refused, saying why."""

    def __init__(self, data: dict[str, Any], *, typed_on: date | None = None) -> None:
        self.data = data
        self.typed_on = typed_on
        self._values: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}
        self._approximate: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def take_error(self, key: str) -> list[str] | None:
        """Remove and return the errors of ``key`` (for a caller that tolerates them)."""
        return self.errors.pop(key, None)

    def set(self, key: str, value: Any) -> None:
        self._values[key] = value

    def take(self, key: str) -> Any:
        """Remove and return a value read for the caller, not stored as it is (None if absent
        or refused: the error stays)."""
        return self._values.pop(key, None)

    def text(self, key: str, max_len: int, *, one_line: bool = False) -> None:
        """Trimmed text, or None when empty; too long is an error, never a silent cut."""
        if key not in self.data:
            return
        raw = self.data[key] or ""
        if "\x00" in raw:
            # No browser sends it; PostgreSQL cannot store it in text (the API refuses it too).
            self.error(key, _("Text may not contain NUL characters."))
            return
        text = " ".join(raw.split()) if one_line else raw.strip()
        if len(text) > max_len:
            self.error(
                key,
                _("Keep this under %(max)s characters (it has %(n)s).", max=max_len, n=len(text)),
            )
        self._values[key] = text or None

    def flag(self, key: str) -> None:
        if key in self.data:
            # A date typed as approximate ("c. 2010") sets its flag whatever the box says.
            self._values[key] = bool(self.data[key]) or key in self._approximate

    def vocab(
        self,
        key: str,
        vocab: type[Vocab],
        *,
        default: Vocab | None = None,
        message: str = N_("Unknown value."),
    ) -> None:
        """A vocabulary code; empty gives ``default``, an unknown code is an error."""
        if key not in self.data:
            return
        raw = str(self.data[key] or "").strip()
        if not raw:
            self._values[key] = default
            return
        value = vocab.parse(raw)
        if value is None:
            self.error(key, _(message))
        self._values[key] = value

    def partial_date(self, key: str, approximate: str | None = None) -> None:
        """A partial date; with ``approximate`` (the name of its flag), "c. 2010", "circa
        2010", "~2010" or "около 2010" is read as 2010 with the flag set. "today", "вчера",
        "позавчера" are that day when the day of typing is known (``typed_on``)."""
        if key not in self.data:
            return
        raw = self.data[key]
        if approximate is not None and isinstance(raw, str):
            bare = without_approximate_word(raw)
            if bare != raw:
                raw = bare
                self._values[approximate] = True
                self._approximate.add(approximate)
        if (back := days_back(raw)) is not None:
            if self.typed_on is None:
                self.error(
                    key,
                    _(
                        "\u201c%(text)s\u201d depends on the day it was written: give the "
                        "date itself (YYYY-MM-DD).",
                        text=raw.strip(),
                    ),
                )
            else:
                self._values[key] = PartialDate.from_date(self.typed_on - timedelta(days=back))
            return
        try:
            self._values[key] = PartialDate.parse(raw)
        except PartialDateError as exc:
            self.error(key, _(exc.message, **exc.params))

    def day(self, key: str) -> None:
        """A date to the day, as a ``date``: read as ``partial_date`` reads one (its formats,
        its words relative to the day of typing), a year or a month alone refused. Empty text
        and "unknown" give None."""
        if key not in self.data:
            return
        self.partial_date(key)
        value = self._values.get(key)
        if value is None:
            return
        if value.precision != "day":
            self.error(
                key,
                _("Give the day, not only the month: YYYY-MM-DD or DD.MM.YYYY.")
                if value.precision == "month"
                else _("Give the day, not only the year: YYYY-MM-DD or DD.MM.YYYY."),
            )
            self._values[key] = None
            return
        self._values[key] = value.earliest()

    def country(self, key: str) -> None:
        """An ISO alpha-2 code from a code or an English or Russian name."""
        if key not in self.data:
            return
        raw = (self.data[key] or "").strip()
        code = countries.lookup(raw) if raw else None
        if raw and code is None:
            self.error(key, _("Unknown country “%(name)s”.", name=raw))
        self._values[key] = code

    def values(self) -> dict[str, Any]:
        """The validated values, or ValidationFailed with every error found."""
        if self.errors:
            raise ValidationFailed(self.errors)
        return dict(self._values)
