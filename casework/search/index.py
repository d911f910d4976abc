"""Keeping the keyed token index of free text up to date, in one place: the session's flushes.

Each indexed record (a case's title, narrative, "after return", why the victim's authorisation
cannot be obtained (or how it was given) and the other international procedure's details; an
event's description and legal basis; a source's account ("how they know"); a comment; a review
comment; a document's name and description) is stored in ``search_tokens`` as the set of its distinct search terms
(``casework.search.text``), each an HMAC under a key derived from ``BLIND_INDEX_KEY`` for the
purpose ``search.term``, and the set of its distinct spelling keys (a word's script and Latin
form, ``casework.search.text.spelling_key``: "Ташкенте" is found by "Tashkent"), each an HMAC
for the purpose ``search.spelling``: the words themselves never reach the table.

Whenever a flush inserts such a record, changes one of its indexed fields or hides or restores
it, its rows are rewritten after the flush, in the same transaction: a hidden record has none
(so it is never found), a restored one gets them back. ``reindex_all`` rebuilds everything (the
``flask --app casework search reindex`` command: for existing data and after a key change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from casework.cases.models import Case, Comment, Event, StatusChange
from casework.core import indexversions
from casework.core.blindindex import current_index
from casework.core.db import db, in_chunks
from casework.core.i18n import N_
from casework.core.locks import transaction_lock
from casework.evidence.models import Document, Source
from casework.search.models import SearchToken
from casework.search.text import spelling_keys, terms

PURPOSE = "search.term"
SPELLING_PURPOSE = "search.spelling"
# The version of the rules that turn a text into terms (``casework.search.text``): raise it with
# any change that gives a word another term; ``refresh_index`` (``flask seed``) then rebuilds the
# index. 1: words stemmed by Snowball only. 2: a Russian noun of an act and its verb share a
# term ("задержание", "задержан"; "экстрадиция", "экстрадировать"). 3: invisible characters
# (soft hyphen, zero-width ones) and stress marks inside a word dropped. 4: look-alike letters
# of another script inside a word (Latin a in Cyrillic "Нурлaнов") read as its own script's.
# 5: a case's authorisation note and other procedures' details indexed (texts stored before).
# 6: each word's spelling key too, by which a word in another script finds it ("Tashkent" finds
#    "Ташкенте", "Караганда" "Қарағанды", "Хоразм" "Xorazm").
# 7: spelling keys read Uzbek o as Russian а ("Toshkent", "Ташкент"), drop an Uzbek or Kazakh
#    case ending from a word that is no ordinary word ("Toshkentda", "Ташкенттен"), read kh
#    before a consonant as Kazakh қ ("Kazakhstan", "Қазақстан") and a final qi as ч ("Urumqi",
#    "Урумчи").
# 8: a Latin j of a word that is no common English word keyed both as й and as ж, дж
#    ("Juliya", "Юлия"; "Andijan", "Андижан").
# 9: a final kh, x or х after a vowel, of a word neither dictionary knows, keyed as к too
#    ("Jizzakh", "Jizzax", "Жиззах", "Джизак").
# 10: a Latin w after a consonant, of a word that is no common English word, keyed as у too
#    ("Rwanda", "Руанда").
# 11: the j of a Juli- word keyed as й too though English uses it as a word ("Julia", "Юлия").
# 12: a Latin c keyed as English к or с ("Canada", "Канада"): instead of дж in a common English
#    word ("Court" is not "жұрт"), besides it in any other ("Caracas"; "Cengiz", "Дженгиз").
# 13: a common word of English or Russian keyed with its o as written, in keys of their own
#    ("past" is not "пост"; "post" is).
# 14: a final х after a vowel dropped from the key before a case ending too ("Фарруха" is
#    keyed as "Фаррух", "Farrukh").
# 15: a word of Russian letters ending in -та, -да, -те, -де keyed with the ending too, a
#    Russian case ending after т or д as often ("Мурата" is "Мурат", "Murat").
# 16: the Uzbek accusative -ni, -ни comes off a word that is no ordinary word ("Ulugbekni").
# 17: Uzbek ў, oʻ keyed as у, u too ("Ўлуғбек", "Oʻlugʻbek": "Улугбек", "Ulugbek").
RULES_VERSION = 17
INDEX_NAME = "search.terms"
_PENDING = "casework.search.pending"


@dataclass(frozen=True)
class Kind:
    """An indexed kind of record: its model, its indexed fields (attribute, label), its case."""

    name: str
    label: str
    model: type
    fields: tuple[tuple[str, str], ...]
    case_id: Callable[[Any], int | None]

    def hidden(self, obj: Any) -> bool:
        return getattr(obj, "hidden_at", None) is not None

    def texts(self, obj: Any) -> list[str]:
        return [value for attr, _ in self.fields if (value := getattr(obj, attr, None))]


KINDS: tuple[Kind, ...] = (
    Kind(
        "case",
        N_("Case"),
        Case,
        (
            ("title", N_("title")),
            ("narrative", N_("narrative")),
            ("after_return", N_("after return")),
            # Who authorised (a name) is not indexed: names are found by the people match.
            ("authorisation_note", N_("authorisation to act before a UN body")),
            ("other_procedures_details", N_("details of the other procedures")),
        ),
        lambda c: c.id,
    ),
    Kind(
        "event",
        N_("Event"),
        Event,
        (("description", N_("description")), ("legal_basis", N_("legal basis"))),
        lambda e: e.case_id,
    ),
    Kind(
        "source",
        N_("Source"),
        Source,
        # What the case file shows of a source; its identity and notes are not indexed.
        (("how_they_know", N_("how they know")),),
        lambda s: s.case_id,
    ),
    Kind("comment", N_("Comment"), Comment, (("body", N_("comment")),), lambda c: c.case_id),
    Kind(
        "status",
        N_("Review comment"),
        StatusChange,
        (("comment", N_("comment")),),
        lambda s: s.case_id,
    ),
    Kind(
        "document",
        N_("Document"),
        Document,
        (("original_name", N_("file name")), ("description", N_("description"))),
        lambda d: d.case_id,  # documents of advocacy actions (no case) are not indexed
    ),
)
KIND_BY_NAME = {k.name: k for k in KINDS}
_KIND_BY_CLASS = {k.model: k for k in KINDS}


def term_token(term: str) -> bytes:
    """The index token of one search term under the running application's key."""
    return current_index().digest(PURPOSE, term)


def spelling_token(key: str) -> bytes:
    """The index token of one spelling key under the running application's key."""
    return current_index().digest(SPELLING_PURPOSE, key)


def _rows(kind: Kind, obj: Any) -> list[dict[str, Any]]:
    case_id = kind.case_id(obj)
    if case_id is None or kind.hidden(obj):
        return []
    found: set[str] = set()
    spellings: set[str] = set()
    for text in kind.texts(obj):
        found |= terms(text)
        spellings |= spelling_keys(text)
    index = current_index()
    tokens = [index.digest(PURPOSE, term) for term in sorted(found)]
    tokens += [index.digest(SPELLING_PURPOSE, key) for key in sorted(spellings)]
    return [
        {"token": token, "record_kind": kind.name, "record_id": obj.id, "case_id": case_id}
        for token in tokens
    ]


def write_tokens(conn: Any, records: Iterable[Any], *, new: bool = False) -> int:
    """Rewrite the rows of these records (of indexed kinds) on ``conn``; returns rows written.
    ``new``: the records were just inserted, so they have no rows to delete."""
    by_kind: dict[str, list[Any]] = {}
    for obj in records:
        by_kind.setdefault(_KIND_BY_CLASS[type(obj)].name, []).append(obj)
    written = 0
    table = SearchToken.__table__
    for name, objs in by_kind.items():
        kind = KIND_BY_NAME[name]
        ids = [] if new else [o.id for o in objs]
        for batch in in_chunks(ids):
            conn.execute(
                delete(table).where(table.c.record_kind == name, table.c.record_id.in_(batch))
            )
        rows = [row for obj in objs for row in _rows(kind, obj)]
        for batch in in_chunks(rows, 2000):  # rows per multi-row INSERT
            conn.execute(insert(table), list(batch))
        written += len(rows)
    return written


def _touched(kind: Kind, obj: Any) -> bool:
    state = inspect(obj)
    attrs = [attr for attr, _ in kind.fields]
    attrs.append("hidden_at" if hasattr(kind.model, "hidden_at") else None)
    attrs.append("case_id" if kind.name != "case" else None)
    return any(a and state.attrs[a].history.has_changes() for a in attrs)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context: Any, instances: Any) -> None:
    """Note the indexed records this flush creates, edits, hides or restores (before the
    sealing of encrypted values clears their history)."""
    new = [obj for obj in session.new if type(obj) in _KIND_BY_CLASS]
    changed = [
        obj
        for obj in session.dirty
        if (kind := _KIND_BY_CLASS.get(type(obj))) is not None and _touched(kind, obj)
    ]
    session.info[_PENDING] = (new, changed)


@event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, flush_context: Any) -> None:
    new, changed = session.info.pop(_PENDING, ((), ()))
    if not new and not changed:
        return
    conn = session.connection()
    if new:
        write_tokens(conn, [o for o in new if inspect(o).persistent], new=True)
    if changed:
        write_tokens(conn, [o for o in changed if inspect(o).persistent])


def reindex_all(batch: int = 500) -> int:
    """Rebuild the whole index (existing data, a new key, new rules); returns records indexed."""
    conn = db.session.connection()
    conn.execute(delete(SearchToken.__table__))
    count = 0
    # Objects the caller already holds stay in the session; only those read here are let go.
    held = set(db.session.identity_map.keys())
    for kind in KINDS:
        last = 0
        while True:
            objs = list(
                db.session.scalars(
                    select(kind.model)
                    .where(kind.model.id > last)
                    .order_by(kind.model.id)
                    .limit(batch)
                )
            )
            if not objs:
                break
            write_tokens(conn, objs)
            count += len(objs)
            last = objs[-1].id
            for obj in objs:  # keep memory flat over any number of records
                if inspect(obj).identity_key not in held:
                    db.session.expunge(obj)
    return count


def refresh_index() -> str:
    """Rebuild the whole index if it was built by older rules (an upgrade); else nothing.

    Run by ``flask seed``: after ``make migrate`` or ``make serve``, texts stored before the
    upgrade are found by the new rules too. An index with no recorded version was built by the
    first rules. Two servers starting at once rebuild once."""
    transaction_lock(INDEX_NAME, table="search_tokens")
    built = indexversions.built_with(INDEX_NAME) or 1
    if built == RULES_VERSION:
        return f"index up to date (rules {RULES_VERSION})"
    count = reindex_all()
    indexversions.record(INDEX_NAME, RULES_VERSION)
    return f"rebuilt the index of {count} records (rules {built} -> {RULES_VERSION})"
