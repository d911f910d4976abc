"""The user-facing text of a Jinja/HTML template: what the reader sees, outside Jinja code.

A template is cut into Jinja constructs (``{{ }}``, ``{% %}``, ``{# #}``), HTML tags (which may
hold Jinja constructs in their attributes), content that is not text (``<script>``, ``<style>``,
HTML comments) and text. Text pieces with letters, and the human-facing attributes (``title``,
``placeholder``, ``aria-label``, ``alt``) with literal letters, must be marked for translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_JINJA_OPEN = re.compile(r"\{\{|\{%|\{#")
_JINJA_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG_START = re.compile(r"<[A-Za-z/!]")
# Not text for a reader: scripts, styles, and code (identifiers, column names, hashes).
_RAW_ELEMENTS = ("script", "style", "code", "kbd", "samp")
LETTER = re.compile(r"[^\W\d_]")
HUMAN_ATTRIBUTES = re.compile(r"""\b(title|placeholder|aria-label|alt)=(["'])(.*?)\2""", re.S)

# Text that needs no translation: codes, units, symbols and names of standards.
ALLOWED = re.compile(
    r"""^(
        [A-Z0-9][A-Z0-9./:()\-–]*      # codes and acronyms: SHA-256, UPR, CSV, A1
      | [A-F]1?[-–]?[A-F0-6]?           # Admiralty ratings
      | Casework                        # the product's name
      | iCalendar | OpenAPI | JSON | TOTP | QR
      | [xX×]                           # a "times" sign
    )$""",
    re.X,
)


@dataclass(frozen=True)
class Piece:
    kind: str  # "jinja", "tag", "raw", "text"
    text: str
    start: int


def pieces(source: str) -> Iterator[Piece]:
    """The template cut into pieces, in order; their texts add up to ``source``."""
    i, n = 0, len(source)
    text_start = 0
    raw_until: str | None = None

    def flush(upto: int) -> Iterator[Piece]:
        if upto > text_start:
            yield Piece("raw" if raw_until else "text", source[text_start:upto], text_start)

    while i < n:
        m = _JINJA_OPEN.match(source, i)
        if m:
            yield from flush(i)
            end = source.find(_JINJA_CLOSE[m.group()], i + 2)
            end = n if end < 0 else end + 2
            yield Piece("jinja", source[i:end], i)
            i = text_start = end
            continue
        if source.startswith("<!--", i):
            yield from flush(i)
            end = source.find("-->", i)
            end = n if end < 0 else end + 3
            yield Piece("raw", source[i:end], i)
            i = text_start = end
            continue
        if _TAG_START.match(source, i) and (
            raw_until is None or source.lower().startswith(raw_until, i)
        ):
            yield from flush(i)
            j = i + 1
            while j < n and source[j] != ">":
                jm = _JINJA_OPEN.match(source, j)
                if jm:
                    close = source.find(_JINJA_CLOSE[jm.group()], j + 2)
                    j = n if close < 0 else close + 2
                else:
                    j += 1
            end = min(n, j + 1)
            tag = source[i:end]
            yield Piece("tag", tag, i)
            name = re.match(r"</?([A-Za-z0-9-]+)", tag)
            if name and name.group(1).lower() in _RAW_ELEMENTS:
                raw_until = None if tag.startswith("</") else f"</{name.group(1).lower()}"
            i = text_start = end
            continue
        i += 1
    yield from flush(n)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def needs_translation(text: str) -> bool:
    """Does this literal text hold words a reader needs in their language?"""
    words = _normalised(text.replace("&nbsp;", " "))
    words = re.sub(r"&[a-z]+;|&#\d+;", "", words).strip(" .,;:·—–-+()[]/|*→←↑↓\"'…“”«»")
    if not LETTER.search(words):
        return False
    return not ALLOWED.match(words)


# A string literal an expression prints: a whole ``{{ "..." }}``, or a branch of
# ``"a" if test else "b"`` or ``value or "fallback"``. Literals passed to functions, filters or
# comparisons (``url_for('x')``, ``== "closed"``) are code, not text.
_LITERAL = re.compile(r"""(["'])((?:\\.|(?!\1).)*)\1""")
_SHOWN_BEFORE = re.compile(r"(?:^|\belse|\bor)\s*$")
_FORMAT_STRING = re.compile(r"^\s*\|\s*format\b")


def printed_literals(expression: str) -> Iterator[str]:
    """The string literals of a ``{{ }}`` expression that reach the page as they are."""
    for m in _LITERAL.finditer(expression):
        before, after = expression[: m.start()], expression[m.end() :]
        if _SHOWN_BEFORE.search(before) and not _FORMAT_STRING.match(after):
            yield m.group(2)


def unmarked(source: str) -> list[tuple[int, str]]:
    """(line, text) of every piece of user-facing text not marked for translation."""
    found = []
    in_trans = False
    for piece in pieces(source):
        line = source.count("\n", 0, piece.start) + 1
        if piece.kind == "jinja":
            body = piece.text[2:-2].strip("-+ \n\t")
            if piece.text.startswith("{%"):
                word = body.split(maxsplit=1)[0] if body else ""
                if word in ("trans", "pluralize"):
                    in_trans = True
                elif word == "endtrans":
                    in_trans = False
            elif piece.text.startswith("{{") and not in_trans:
                found.extend(
                    (line, f'"{text}"')
                    for text in printed_literals(body)
                    if needs_translation(text)
                )
            continue
        if in_trans or piece.kind == "raw":
            continue
        if piece.kind == "text" and needs_translation(piece.text):
            found.append((line, _normalised(piece.text)))
        elif piece.kind == "tag":
            for attr in HUMAN_ATTRIBUTES.finditer(piece.text):
                value = attr.group(3)
                if "{{" not in value and needs_translation(value):
                    found.append((line, f'{attr.group(1)}="{value}"'))
    return found
