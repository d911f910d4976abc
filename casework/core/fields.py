"""Reading and validating record fields from a form or an import, one rule per kind of field.

Only the keys present in the input are read, so a partial update leaves other fields alone.
Every error is collected before ``values()`` raises them together.
"""

from __future__ import annotations

import re
from typing import Any

from casework.core import countries
from casework.core.errors import ValidationFailed
from casework.core.i18n import N_
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


class FieldReader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
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
        2010", "~2010" or "около 2010" is read as 2010 with the flag set."""
        if key not in self.data:
            return
        raw = self.data[key]
        if approximate is not None and isinstance(raw, str):
            bare = _APPROXIMATE_RE.sub("", raw, count=1)
            if bare != raw:
                raw = bare
                self._values[approximate] = True
                self._approximate.add(approximate)
        try:
            self._values[key] = PartialDate.parse(raw)
        except PartialDateError as exc:
            self.error(key, _(exc.message, **exc.params))

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
