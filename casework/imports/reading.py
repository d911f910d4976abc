"""Reading legacy spreadsheets: CSV (UTF-8, BOM, UTF-16 with or without BOM, Windows-1251,
KZ-1048, KOI8-R, DOS 866, Mac Cyrillic, and Windows-1252 for Latin text; , ; tab |) and XLSX.

Cells are read as text and never evaluated: a cell that starts with ``=`` is kept as the
text it is. A workbook's formula is read as the value Excel saved with it (what the sheet
shows), or, saved without one, as its text.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from casework.core.i18n import gettext as _

DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}
# The delimiters a file is read by when none is given: the bar of database exports too.
_SNIFFED = (",", ";", "\t", "|")
# The most rows below the header a file may have (the lines above it and the header do not count).
MAX_ROWS = 200_000
# The rows with a value searched for the header (below a title, a note, a date...).
HEADER_SEARCH = 20


class UnusableInput(ValueError):
    """The file cannot be imported at all (unreadable, no header, wrong columns...)."""


@dataclass
class Table:
    """A header and its rows; each row is (spreadsheet row number, cells by header)."""

    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    # The place of the sheet read in its workbook (0: the first): what names it again, where
    # its name (which may be a person's) must not be kept.
    sheet: int | None = None
    # The rows with a value above the header (a title, a note): (row number, their text).
    skipped: list[tuple[int, str]] = field(default_factory=list)
    header_row: int = 1
    # The rows not read as rows (a cell's quotation mark never closed on its line): (row
    # number, the line as written, why).
    unread: list[tuple[int, str, str]] = field(default_factory=list)
    # The cells of a workbook holding a formula saved without its value (by a program that
    # computes none), read as the formula's text: (row number, header, the text).
    formulas: list[tuple[int, str, str]] = field(default_factory=list)
    # The places (1: the first) of the workbook's other sheets that name the columns too, not read.
    other_sheets: list[int] = field(default_factory=list)

    @property
    def single_byte(self) -> bool:
        """Read in an encoding of 256 characters (Windows-1251, KZ-1048, KOI8-R, DOS 866, Mac
        Cyrillic), which saved each letter it lacks (Kazakh and Uzbek ones: қ, ғ, ә, ў...) as
        "?"."""
        return bool(self.encoding) and not codecs.lookup(self.encoding).name.startswith("utf")


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding used (detected unless given)."""
    if encoding:
        try:
            # A byte-order mark is no part of the first header, whichever UTF was chosen.
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise UnusableInput(
                _("The file cannot be read as %(encoding)s.", encoding=encoding)
            ) from exc
    for mark, encoding, skip in (
        (b"\xef\xbb\xbf", "utf-8", 3),
        # Excel's "Unicode text": UTF-16 with its byte-order mark (and tabs).
        (b"\xff\xfe", "utf-16", 0),
        (b"\xfe\xff", "utf-16", 0),
    ):
        if data.startswith(mark):
            try:
                return data[skip:].decode(encoding), "utf-8-sig" if skip else encoding
            except UnicodeDecodeError as exc:
                # A file that says what it is and is not that is damaged, not another encoding.
                raise UnusableInput(
                    _("The file says it is %(encoding)s but is not.", encoding=encoding.upper())
                ) from exc
    if utf16 := _utf16_without_mark(data):
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        _refuse_damaged_utf8(data, exc)
        return _single_byte_cyrillic(data)


def _refuse_damaged_utf8(data: bytes, error: UnicodeDecodeError) -> None:
    """UTF-8 text with a few bytes that are not (a row added by a program writing
    Windows-1251): read as a single-byte encoding, all its UTF-8 text would be garbled, so it
    is refused, naming the first line to fix. Cyrillic or Arabic letters in UTF-8 are what
    tells: a file in a single-byte encoding has next to none among hundreds of bytes that are
    not UTF-8."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    letters = sum(1 for c in text if "\u0400" <= c <= "\u06ff")
    if letters >= 3 and letters * 10 > damaged:
        raise UnusableInput(
            _(
                "The file is UTF-8 text but line %(line)s is not (another program added it in "
                "another encoding): save the whole file again as UTF-8, or choose its encoding.",
                line=data.count(b"\n", 0, error.start) + 1,
            )
        )


# The first byte of a character in UTF-16 that only UTF-16 text has: 00 for ASCII (headers,
# delimiters, line ends), 04 for Cyrillic (a control character no other text holds).
_UTF16_HIGH = re.compile(b"[\x00\x04]")


def _utf16_without_mark(data: bytes) -> tuple[str, str] | None:
    """UTF-16 written without its byte-order mark (by tools other than Excel): the high byte
    of each ASCII or Cyrillic character (00 or 04) falls on one side of each pair."""
    head = data[:4096]
    odd = len(_UTF16_HIGH.findall(head[1::2]))
    even = len(_UTF16_HIGH.findall(head[0::2]))
    if max(odd, even) < len(head) // 8 or min(odd, even) > max(odd, even) // 10:
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


# Excel on a Russian-locale Windows machine saves CSV as Windows-1251; older tools write
# KOI8-R or the DOS code page 866, and a Mac its own Cyrillic (Windows-1251's small letters but
# "я", and capitals where Windows-1251 has Serbian letters and punctuation). Each decodes any bytes into *something*: the one kept reads
# as Russian, its Cyrillic words in a consistent case (not "бМЙЫЕТ", KOI8-R read as
# Windows-1251) and made of the language's frequent letters (not "рефтпч", the same in
# capitals).
_SINGLE_BYTE = ("cp1251", "koi8_r", "cp866", "mac_cyrillic")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# Letters of Russian text, per thousand.
_FREQUENCY = dict(
    zip(
        "оеаинтсрвлкмдпуяызьбгчйхжшюцщэфъё",
        (110, 85, 80, 74, 67, 63, 55, 47, 45, 44, 35, 32, 30, 28, 26, 20, 19, 17, 17, 17, 16, 14,
         12, 10, 9, 7, 6, 5, 4, 3, 3, 1, 1),
        strict=True,
    )
)  # fmt: skip


def _reads_as_russian(text: str) -> int:
    """How much ``text`` reads as Russian: its letters' frequencies, in words of one case and
    of the region's letters ("Ђлишер", a Mac's "Алишер" read as Windows-1251, is none); a word
    of mixed case counts against it ("экстрадициЯ": a Mac's "я" read as Windows-1251)."""
    score = 0
    for w in _CYRILLIC_WORD.findall(text):
        value = sum(_FREQUENCY.get(letter, 0) for letter in w.lower())
        if not (w.islower() or w.isupper() or (w[0].isupper() and w[1:].islower())):
            score -= value
        elif all(letter in _REGION_LETTERS for letter in w):
            score += value
    return score


# The text an encoding is weighed on: from the file's first byte outside ASCII (a header in
# English may come before its Cyrillic text), enough of it for hundreds of words.
_SAMPLE = 256 * 1024
_NOT_ASCII = re.compile(rb"[\x80-\xff]")


# A word of Latin letters, with the letters of another script among them.
_WORD = re.compile(r"[^\W\d_]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _western(data: bytes) -> tuple[str, str] | None:
    """A file of Latin text from a Western-locale machine (Windows-1252, or Latin-1), whose
    few bytes outside ASCII are accented letters inside Latin words ("José", "Müller"): read
    as Windows-1251 they are Cyrillic letters inside Latin words ("Josй", "Mьller"), where
    Cyrillic text has whole Cyrillic words. None for any other file."""
    first = _NOT_ASCII.search(data)
    start = max(0, first.start() - 64) if first else 0
    sample = data[start : start + _SAMPLE].decode("cp1251", errors="replace")
    mixed = whole = 0
    for word in _WORD.findall(sample):
        cyrillic = sum(1 for c in word if "\u0400" <= c <= "\u04ff")
        if cyrillic and _LATIN_LETTER.search(word):
            mixed += cyrillic
        else:
            whole += cyrillic
    if not mixed or mixed <= whole:
        return None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # Latin-1: the five bytes Windows-1252 leaves undefined are its control characters.
        return data.decode("latin-1"), "latin-1"


def _single_byte_cyrillic(data: bytes) -> tuple[str, str]:
    if western := _western(data):
        return western
    best: tuple[int, str, str] | None = None
    first = _NOT_ASCII.search(data)
    start = max(0, first.start() - 64) if first else 0
    for encoding in _SINGLE_BYTE:
        try:
            text = data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        score = _reads_as_russian(data[start : start + _SAMPLE].decode(encoding, errors="replace"))
        # Windows-1251 unless another reads clearly better (not on a letter or two).
        if best is None or score > best[0] * 1.2 + 30:
            best = (score, text, encoding)
    if best is None:
        raise UnusableInput(_("The file is not a text (CSV) file."))
    if best[2] == "cp1251":
        return _kazakh_or(data, best[1])
    return best[1], best[2]


# KZ-1048, Kazakhstan's code page, is Windows-1251 but for sixteen bytes: its Kazakh letters
# (ә ғ қ ң ө ұ ү һ) where Windows-1251 has Serbian, Macedonian and Ukrainian ones (Ќ Ј Ґ Є Ї
# Ѕ...), and ұ where Windows-1251 has the Uzbek and Belarusian ў. The Russian words read alike:
# a file is KZ-1048 when it holds a byte that is a letter no language of the region writes in
# Windows-1251 and a Kazakh one in KZ-1048 (a file whose one such byte is "ў" or "ұ" stays
# Windows-1251).
_REGION = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" + "әғқңөұүһі" + "ўҳ" + "ӣӯҷ"
_REGION_LETTERS = frozenset(_REGION + _REGION.upper())
_KAZAKH_BYTES = re.compile(
    b"["
    + b"".join(
        re.escape(bytes([b]))
        for b in range(0x80, 0x100)
        if bytes([b]).decode("cp1251", "replace") not in _REGION_LETTERS
        and bytes([b]).decode("kz1048", "replace") in _REGION_LETTERS
    )
    + b"]"
)


def _kazakh_or(data: bytes, cp1251: str) -> tuple[str, str]:
    """``data`` read as KZ-1048 if it holds its Kazakh letters, else as Windows-1251 (its text
    ``cp1251``)."""
    if _KAZAKH_BYTES.search(data):
        try:
            return data.decode("kz1048"), "kz1048"
        except UnicodeDecodeError:
            pass
    return cp1251, "cp1251"


# Excel's hint on a CSV's first line ("sep=;"): the delimiter, and a line Excel does not show.
_SEP_LINE = re.compile(r"\Asep=([,;\t|])[ \t]*(?:\r\n?|\n)", re.IGNORECASE)


# Where a word of a header in camel case starts: "PersonName", "actDate", "UNHCRNumber"
# (a capital followed by small letters: "DoB" is one word, as "dob" is).
# Where camel case starts a word: "PersonName", "UNHCRNumber", and an abbreviation at the end
# ("CaseID").
_CAMEL = re.compile(r"(?<=[A-Za-z])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")


def header_key(text: str) -> str:
    """A header as headers are compared: any case, spaces (non-breaking ones too) trimmed and
    single, underscores, hyphens and camel case as spaces (person_name, "Person Name",
    "person-name", "PersonName", "CaseID"), letters composed, "ё" as "е" (Russian writes it
    either way)."""
    text = _CAMEL.sub(" ", unicodedata.normalize("NFC", text)).casefold().replace("ё", "е")
    return " ".join(text.replace("_", " ").replace("-", " ").split())


# A template's marks on a header: "ФИО*" (required), "Пол:", "Дата рождения (дд.мм.гггг)"
# (how to fill it in), at its end.
_HEADER_MARK = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|[*:])$")


def bare_header(key: str) -> str:
    """A header (as ``header_key`` gives it) without a template's marks at its end: the
    column it names when the header as written names none."""
    while (bare := _HEADER_MARK.sub("", key)) != key and bare:
        key = bare
    return key


def is_known(key: str, known: Collection[str]) -> bool:
    """Does a header (``header_key``) name a column of ``known``, as written or bare?"""
    return key in known or bare_header(key) in known


_LINE_END = re.compile(r"\r\n?|\n")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends (LF, CR LF, or CR alone), as a text file read with
    ``newline=""`` gives them, without the copy of the whole text a StringIO makes (at four
    bytes a character)."""
    start = 0
    for match in _LINE_END.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _sniff_delimiter(text: str, known: Collection[str] | None = None) -> str:
    # The first lines only: a file of 200,000 rows is not split into lines to sniff it.
    head = itertools.islice(_lines(text), HEADER_SEARCH * 4)
    lines = [line.rstrip("\r\n") for line in head if line.strip()]
    if known:
        # The delimiter that splits a line of the first ones into the most known headers: a
        # title above the header ("Список случаев, 2023") does not decide it.
        hits = {
            d: max(
                (sum(is_known(header_key(c), known) for c in next(csv.reader([line], delimiter=d), []))
                 for line in lines[:HEADER_SEARCH]),
                default=0,
            )
            for d in _SNIFFED
        }  # fmt: skip
        best = max(hits, key=hits.__getitem__)
        if hits[best] >= 2:
            return best
    # Else the one most of the first lines hold (a title above, "Реестр случаев, 2023", is one
    # line), and of those, the one the first line holding any has most of.
    lines = lines[:HEADER_SEARCH]
    first = next((line for line in lines if any(d in line for d in _SNIFFED)), "")
    counts = {d: (sum(d in line for line in lines), first.count(d)) for d in _SNIFFED}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best][0] else ","


def read_csv(
    data: bytes,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    known: Collection[str] | None = None,
) -> Table:
    try:
        text, used = decode(data, encoding)
    except UnicodeDecodeError as exc:
        raise UnusableInput(_("The file is neither UTF-8 nor Windows-1251 text.")) from exc
    # DOS tools end a text file with Ctrl-Z, and a file cut to a disk's block or a fixed size
    # ends in NUL bytes: the end of the file, not a row.
    text = text.rstrip("\x1a\x00")
    if (nul := text.find("\x00")) >= 0:
        raise UnusableInput(
            _(
                "The file has NUL characters on line %(line)s: it is not a text (CSV) file, or "
                "it was damaged. Save it again as CSV from the spreadsheet program.",
                line=len(text[: nul + 1].splitlines()),
            )
        )
    # A line end written twice over (CR LF written again in text mode: CR CR LF) is one, not
    # a line end and an empty line after each row, which numbered the rows 3, 5, 7...
    text = text.replace("\r\r\n", "\r\n")
    # A cell as long as the file: one over its column's limit is a problem of its row, said in
    # the user's words, not the whole file refused by the reader's own limit (128 KiB).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    hinted = _SEP_LINE.match(text)
    if hinted:
        text = text[hinted.end() :]
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise UnusableInput(
                _("The delimiter must be a comma, a semicolon, tab or a vertical bar (|).")
            )
        delim = DELIMITERS[delimiter]
    else:
        delim = hinted.group(1) if hinted else _sniff_delimiter(text, known)
    first_line = 2 if hinted else 1
    # More lines than a header and the rows allowed: the file may be over the limit (a cell's
    # line breaks make lines too), so it is read once without keeping its rows, to be refused
    # (or a row's error said, as reading it would) before its rows fill the memory.
    lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if lines + (not text.endswith(("\n", "\r"))) > MAX_ROWS + 1:
        _read_records(text, delim, known, first_line, used, keep=False)
    return _read_records(text, delim, known, first_line, used)


def _read_records(
    text: str,
    delimiter: str,
    known: Collection[str] | None,
    first_line: int,
    encoding: str,
    *,
    keep: bool = True,
) -> Table:
    """The table of a CSV ``text``; its rows are not kept unless ``keep``."""
    unread: dict[int, tuple[str, str]] = {}
    records = _records(text, delimiter, unread, first_line=first_line)
    try:
        found = _header(records, known)
        if found is None:
            raise UnusableInput(_("The file has no header row."))
        table = _table_of(found, encoding=encoding, delimiter=delimiter)
        for number, cells in found[2]:
            if not any(c.strip() for c in cells):
                continue
            if number - table.header_row > MAX_ROWS:
                raise UnusableInput(_("The file has more than %(n)s rows.", n=MAX_ROWS))
            if number in unread:
                table.unread.append((number, *unread[number]))
            else:
                row = _row(number, table.headers, cells)
                if keep:
                    table.rows.append((number, row))
    except csv.Error as exc:
        raise UnusableInput(_("The CSV cannot be read: %(error)s.", error=exc)) from exc
    return table


def _records(
    text: str, delimiter: str, unread: dict[int, tuple[str, str]], first_line: int = 1
) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV ``text``, numbered as a spreadsheet numbers its rows.

    A cell opened by a quotation mark that its line does not close would take in the lines
    after it as its text, up to the next quotation mark, which opens a cell of a later row
    (``"Sent back"``: more text follows the mark taken for the closing one), or to the end of
    the file: whole rows lost unseen. That line is a row of its own, put in ``unread`` (row
    number: the line's text and why it is not read), and the lines after it are read again as
    rows. ``first_line``: the file's line ``text`` starts on."""
    lines = _Lines(text)
    number, line = 0, first_line
    while True:
        try:
            # Strict: a closing quotation mark followed by more than a delimiter is an error.
            for cells in csv.reader(lines, delimiter=delimiter, strict=True):
                number += 1
                line += len(lines.taken)
                lines.taken.clear()
                yield number, cells
            return
        except csv.Error:
            if not lines.taken:
                raise
            if (mended := _spaces_after_closing_quotes(lines.taken, delimiter)) is not None:
                lines.taken.clear()
                lines.again(mended)
                continue
        number += 1
        first, *after = lines.taken
        lines.taken.clear()
        lines.again(after)
        # The record's first line alone, read as before (``"Ташкент" область`` is a cell);
        # with a line break after it, its cell is still open at its end.
        cells = next(csv.reader([first.rstrip("\r\n") + "\n"], delimiter=delimiter), [])
        if any("\n" in c for c in cells):
            unread[number] = (
                first.rstrip("\r\n"),
                _(
                    'A cell on line %(line)s opens with a quotation mark (") that is never '
                    "closed on that line, so the rows after it would have been read into it. "
                    "Close the quotation mark, or remove it.",
                    line=line,
                ),
            )
        yield number, cells
        line += 1


def _spaces_after_closing_quotes(lines: list[str], delimiter: str) -> list[str] | None:
    """The lines of a record whose quoted cells a space follows after their closing quotation
    mark (``"Taken at night,\nheld in Almaty" ,extradition``, as a spreadsheet's user leaves
    it), without those spaces, which the strict reader takes for text after the cell, so for a
    quotation mark never closed. None when the record has no such space, or a quotation mark
    that text follows (``"Sent back" home``: a cell of a later row opened there)."""
    text = "".join(lines)
    kept: list[str] = []
    state, i, mended = "start", 0, False
    while i < len(text):
        c = text[i]
        if state == "quoted":
            if c == '"' and text[i + 1 : i + 2] == '"':
                kept.append('""')
                i += 2
                continue
            state = "closed" if c == '"' else state
        elif state == "closed" and c not in (delimiter, "\r", "\n"):
            end = i
            while end < len(text) and text[end] in " \t" and text[end] != delimiter:
                end += 1
            if end == i or text[end : end + 1] not in (delimiter, "\r", "\n", ""):
                return None
            i, mended, state = end, True, "start"
            continue
        elif c in (delimiter, "\r", "\n"):
            state = "start"
        elif state == "start":
            state = "quoted" if c == '"' else "field"
        kept.append(c)
        i += 1
    return list(io.StringIO("".join(kept), newline="")) if mended else None


class _Lines:
    """The lines of a text, each kept (``taken``) until the record it belongs to is read;
    lines given back (``again``) are read again first."""

    def __init__(self, text: str) -> None:
        self._lines = _lines(text)
        self._again: list[str] = []
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._again.pop() if self._again else next(self._lines)
        self.taken.append(line)
        return line

    def again(self, lines: list[str]) -> None:
        self._again.extend(reversed(lines))


Found = tuple[tuple[int, list[Any]], list[tuple[int, list[Any]]], Iterator[tuple[int, Any]]]


def _looks_like_header(cells: Iterable[Any], known: Collection[str]) -> bool:
    """Does a row name columns the import knows (canonical ones, or those of the mapping)?"""
    texts = [header_key(_text(c)) for c in cells if _text(c)]
    hits = sum(is_known(t, known) for t in texts)
    return hits >= 2 or 0 < hits == len(texts)


def _header(
    numbered: Iterator[tuple[int, Any]], known: Collection[str] | None = None
) -> Found | None:
    """The header row, the rows with a value above it, and the rows after it; None without a
    header. The header is the first row naming columns in ``known`` among the first rows with a
    value (a title, a note above it are skipped), else the first row with a value. Blank rows
    are skipped; every row keeps its number as the spreadsheet shows it."""
    seen: list[tuple[int, list[Any]]] = []
    for number, cells in numbered:
        if not (cells and any(_text(c) for c in cells)):
            continue
        if not known or _looks_like_header(cells, known):
            return (number, list(cells)), seen, numbered
        seen.append((number, list(cells)))
        if len(seen) >= HEADER_SEARCH:
            break
    # No row names known columns (headers still to map): the header is the first row of more
    # than one value (not a title or a note of one cell above it), its unknown columns then
    # reported; the rows read past it are rows again. A file of titles and notes only, or of
    # one row (a title with a comma, split at it), has no header: its title is no column.
    at = next((i for i, (_n, cells) in enumerate(seen) if _width(cells) > 1), None)
    if at is None or len(seen) == 1:
        return None
    return seen[at], seen[:at], itertools.chain(seen[at + 1 :], numbered)


def _width(cells: list[Any]) -> int:
    return sum(1 for c in cells if _text(c))


def _table_of(found: Found, **kwargs: Any) -> Table:
    (number, header), above, _rows = found
    return Table(
        [_text(h) for h in header],
        skipped=[(n, "; ".join(_text(c) for c in cells if _text(c))) for n, cells in above],
        header_row=number,
        **kwargs,
    )


def _row(number: int, headers: list[str], cells: list[Any]) -> dict[str, str]:
    row = {}
    for i, header in enumerate(headers):
        value = _text(cells[i]) if i < len(cells) else ""
        if header:
            row[header] = value
        elif value:
            # A column without a header cannot be mapped: its values would be lost unseen.
            raise UnusableInput(
                _(
                    "Column %(column)s has no header but holds values (row %(row)s): give it a "
                    "header, or delete the column.",
                    column=get_column_letter(i + 1),
                    row=number,
                )
            )
    if len(cells) > len(headers) and any(_text(c) for c in cells[len(headers) :]):
        row["\x00extra"] = "; ".join(_text(c) for c in cells[len(headers) :] if _text(c))
    return row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # Composed: "й" written as "и" and a combining breve (text from a Mac, a PDF) is "й".
    return unicodedata.normalize("NFC", str(value).strip(_EDGES))


# Spaces, and the invisible characters text copied from a web page or a messenger brings
# along (zero-width spaces and joiners, direction marks, byte-order marks), at a cell's edges.
_EDGES = "".join(
    [chr(c) for c in range(0x3001) if chr(c).isspace()]
    + [chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065))]
    + [chr(c) for c in (*range(0x2066, 0x206A), 0xFEFF)]
)


# Excel turns "04.2011" or "2011-06" typed into a cell into the first day of that month, shown
# as a month ("апр.11", "Jun-11"): the day its format does not show was never given. Quoted
# text, [locale] or [colour] codes and escaped characters of a format are not its fields.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _shown_date(value: date, number_format: str | None) -> str | None:
    """A date cell as precise as its format shows it: ``2011-06`` for "mmm yy", ``2011`` for
    "yyyy"; None when the format shows the day (or a time, or is not a date format)."""
    fields = set(_FORMAT_LITERALS.sub("", (number_format or "").split(";")[0]).lower())
    if "y" not in fields or fields & {"d", "h", "s"}:
        return None
    return f"{value.year:04d}-{value.month:02d}" if "m" in fields else f"{value.year:04d}"


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, date):
        return _shown_date(value, getattr(cell, "number_format", None)) or value
    return value


# What a workbook may unpack to. The upload limit bounds the compressed file only: a small
# "zip bomb" unpacks to gigabytes. The parts are read by zipfile, which stops at the size each
# part declares, so the declared sizes bound what is read: in all (the 200,000 rows the import
# reads fit well within it), and for a large part, against its compressed size (spreadsheet
# XML compresses some ten to thirty times; a bomb, a thousand).
XLSX_UNPACKED_MAX = 256 * 1024 * 1024
XLSX_RATIO_MAX = 200
XLSX_RATIO_FROM = 8 * 1024 * 1024


def _check_unpacked(data: bytes) -> None:
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnusableInput(_("The file is not a readable XLSX workbook.")) from exc
    bomb = any(
        p.file_size > XLSX_RATIO_FROM and p.file_size > XLSX_RATIO_MAX * max(p.compress_size, 1)
        for p in parts
    )
    if bomb or sum(p.file_size for p in parts) > XLSX_UNPACKED_MAX:
        raise UnusableInput(
            _(
                "The workbook unpacks to far more than its rows can hold: save it again from the "
                "spreadsheet program, or as CSV."
            )
        )


# A merged range in a sheet's XML (after its rows): <mergeCell ref="A2:A4"/>.
_MERGE_CELL = re.compile(
    rb"""<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref=["']([A-Za-z]+\d+):([A-Za-z]+\d+)["']"""
)


def _merged_ranges(ws: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges: (first column, first row, last column, last row). The file
    keeps a merged range's value in its first cell only; the sheet shows it over them all."""
    ranges = []
    tail = b""
    # The sheet's XML part, scanned in pieces: the read-only reader does not give its ranges.
    with ws._get_source() as source:
        while chunk := source.read(1 << 20):
            data, end = tail + chunk, 0
            for match in _MERGE_CELL.finditer(data):
                end = match.end()
                first, last = (coordinate_from_string(c.decode().upper()) for c in match.groups())
                ranges.append(
                    (column_index_from_string(first[0]), first[1],
                     column_index_from_string(last[0]), last[1])
                )  # fmt: skip
            tail = data[max(end, len(data) - 256) :]
    return ranges


def _merged_down(ranges: list[tuple[int, int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    """The cells merged down over rows, by their first row: [(column, last row)]."""
    merged: dict[int, list[tuple[int, int]]] = {}
    for column, first, _last_column, last in ranges:
        if last > first:
            merged.setdefault(first, []).append((column, last))
    return merged


def _merged_across(ranges: list[tuple[int, int, int, int]], row: int) -> list[tuple[int, int]]:
    """The cells of row ``row`` merged across columns: [(first column, last column)]."""
    return [(c0, c1) for c0, r0, c1, r1 in ranges if r0 <= row <= r1 and c1 > c0]


def _join_across(cells: list[Any], spans: list[tuple[int, int]]) -> None:
    """The values of the columns under a header merged across them, as one value in its first
    column, joined in the columns' order ("ФИО" over a surname and a given name)."""
    for first, last in spans:
        if any(_text(c) for c in cells[first:last]):
            cells[first - 1] = " ".join(t for c in cells[first - 1 : last] if (t := _text(c)))
            cells[first:last] = [None] * len(cells[first:last])


def _headers_merged_down(
    table: Table, found: Found, merged: dict[int, list[tuple[int, int]]]
) -> None:
    """A header of two rows (groups above their columns): a cell of the header row merged down
    from the row above is that row's header."""
    (number, _header), above, _rows = found
    for first, cells in above:
        for column, last in merged.get(first, ()):
            if last >= number and column <= len(cells) and _text(cells[column - 1]):
                table.headers += [""] * (column - len(table.headers))
                if not table.headers[column - 1]:
                    table.headers[column - 1] = _text(cells[column - 1])


def _fill_merged(number: int, cells: list[Any], carried: dict[int, tuple[int, Any]]) -> None:
    """Give row ``number`` the values of the cells merged down over it (in the range's first
    column: merged across, a value is its first column's only)."""
    for column, (last, value) in list(carried.items()):
        if number > last:
            del carried[column]
        elif value is not None:
            cells += [None] * (column - len(cells))
            if cells[column - 1] in (None, ""):
                cells[column - 1] = value


def read_xlsx(
    data: bytes, *, sheet: str | int | None = None, known: Collection[str] | None = None
) -> Table:
    """The sheet named ``sheet`` (or at that place, 0 the first; the first shown when None)."""
    _check_unpacked(data)
    try:
        # data_only=False: a formula is read as its text ("=A1+1"), never computed here; the
        # value Excel saved with it is read afterwards (``_formula_values``).
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise UnusableInput(_("The file is not a readable XLSX workbook.")) from exc
    others: list[int] = []
    try:
        names = book.sheetnames
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise UnusableInput(_("The workbook no longer has the sheet that was checked."))
            position = sheet
        elif sheet is not None:
            # Typed by hand: matched as headers are (any case, surrounding spaces trimmed),
            # its exact name first.
            typed = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
            if sheet not in names and len(typed) != 1:
                raise UnusableInput(
                    _("The workbook has no sheet \u201c%(sheet)s\u201d.", sheet=sheet)
                )
            position = names.index(sheet if sheet in names else typed[0])
        else:
            # The first sheet shown (the lists a sheet's drop-downs offer are often kept on a
            # hidden one, sometimes the first) that names the columns: a register may open on
            # a sheet of instructions. Other sheets that name them too (a sheet a year) are
            # said, by their place, not read.
            shown = [ws for ws in book.worksheets if ws.sheet_state == "visible"] or list(
                book.worksheets
            )
            of_cases = [ws for ws in shown if known and _names_columns(ws, known)]
            chosen = (of_cases or shown)[0]
            position = names.index(chosen.title)
            others = [names.index(ws.title) + 1 for ws in of_cases if ws is not chosen]
        ws = book[names[position]]
        # The range a sheet says it uses is not trusted: other programs than Excel often state
        # it wrong (one cell, or the size before rows were added), and read within it, the rows
        # and columns beyond would be lost unseen.
        ws.reset_dimensions()
        formulas: list[tuple[int, int]] = []

        def values(cells: tuple[Any, ...]) -> list[Any]:
            formulas.extend((c.row, c.column) for c in cells if getattr(c, "data_type", "") == "f")
            return [_cell_value(c) for c in cells]

        rows = (values(cells) for cells in ws.iter_rows())
        found = _header(enumerate(rows, start=1), known)
        if found is None:
            raise UnusableInput(_("The sheet has no header row."))
        table = _table_of(found, sheet=position)
        table.other_sheets = others
        numbered = found[2]
        ranges = _merged_ranges(ws)
        merged = _merged_down(ranges)
        _headers_merged_down(table, found, merged)
        across = _merged_across(ranges, table.header_row)
        # Per column, the value of a merged cell that stands for the rows below, and its last.
        carried: dict[int, tuple[int, Any]] = {}
        for number, cells in numbered:
            if number - table.header_row > MAX_ROWS:
                raise UnusableInput(_("The sheet has more than %(n)s rows.", n=MAX_ROWS))
            for column, last in merged.get(number, ()):
                carried[column] = (last, cells[column - 1] if column <= len(cells) else None)
            if cells and any(_text(c) for c in cells):
                _fill_merged(number, cells, carried)
                _join_across(cells, across)
                # A cell right of the last header is in a column without one.
                table.headers += [""] * (len(cells) - len(table.headers))
                table.rows.append((number, _row(number, table.headers, list(cells))))
        if formulas:
            _formula_values(data, position, table, set(formulas))
        return table
    finally:
        book.close()


def _names_columns(ws: Any, known: Collection[str]) -> bool:
    """Does a sheet have a row naming columns in ``known`` among its first rows with a value?"""
    ws.reset_dimensions()
    seen = 0
    for cells in ws.iter_rows(values_only=True):
        if not any(_text(c) for c in cells):
            continue
        if _looks_like_header(cells, known):
            return True
        seen += 1
        if seen >= HEADER_SEARCH:
            break
    return False


def _formula_values(data: bytes, position: int, table: Table, cells: set[tuple[int, int]]) -> None:
    """Each formula of ``cells`` (row, column) as the value Excel saved with it, the value the
    sheet shows (never computed here); a formula saved without one (by a program that computes
    none) stays its text."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = book.worksheets[position]
        ws.reset_dimensions()
        shown: dict[int, list[tuple[int, Any]]] = {}
        for row in ws.iter_rows(min_row=min(r for r, _c in cells)):
            for c in row:
                if (getattr(c, "row", None), getattr(c, "column", None)) in cells:
                    shown.setdefault(c.row, []).append((c.column, _cell_value(c)))
    finally:
        book.close()
    for number, row in table.rows:
        for column, value in shown.get(number, ()):
            header = table.headers[column - 1] if column <= len(table.headers) else ""
            if header and value is not None:
                row[header] = _text(value)
            elif header and row.get(header):
                table.formulas.append((number, header, row[header]))


# A row of a sheet's XML: <row r="2">, or <x:row> under a namespace's prefix.
_ROW_ELEMENT = re.compile(rb"<(?:\w{1,10}:)?row[\s/>]")
_ROW_ELEMENT_LONGEST = 16


def rows_at_most(data: bytes, filename: str) -> int:
    """At most how many rows the file has below its header, counted without reading it: the
    lines of a CSV (a quoted cell of several lines counts each), the rows of all the sheets of
    a workbook. Cheap beside reading it (a workbook's row of cells costs far more), so it
    decides where a file is checked. A workbook that cannot be opened counts none: reading it
    then says why."""
    if Path(filename).suffix.lower() != ".xlsx" and data[:4] != b"PK\x03\x04":
        # Lines end with LF or CR LF, or with CR alone (old Mac tools).
        lines = (data.count(b"\n") or data.count(b"\r")) + 1
        if data.rstrip(b"\x00").endswith((b"\n", b"\r")):  # UTF-16's too
            lines -= 1
        return max(lines - 1, 0)
    try:
        _check_unpacked(data)
        book = zipfile.ZipFile(io.BytesIO(data))
        rows = 0
        for part in book.infolist():
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", part.filename):
                continue
            tail = b""
            with book.open(part) as source:
                while chunk := source.read(1 << 20):
                    scanned = tail + chunk
                    # A row element begun in the last bytes is counted with the next piece.
                    cut = max(len(scanned) - _ROW_ELEMENT_LONGEST, 0)
                    rows += sum(1 for m in _ROW_ELEMENT.finditer(scanned) if m.start() < cut)
                    tail = scanned[cut:]
                rows += len(_ROW_ELEMENT.findall(tail))
    except (UnusableInput, zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return 0
    return max(rows - 1, 0)


def read_table(
    data: bytes,
    filename: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    known: Collection[str] | None = None,
) -> Table:
    """Read a CSV or XLSX file (by extension, or by content: XLSX is a zip). ``known``: the
    headers the import knows (``header_key``), by which the header row is found below a title."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx" or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, sheet=sheet, known=known)
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise UnusableInput(_("Import a .csv or .xlsx file."))
    return read_csv(data, encoding=encoding, delimiter=delimiter, known=known)
