"""Full-text search: the cases whose free text holds every term, for their readers only.

Query terms become index tokens (``casework.search.index``). The candidates are the cases the
user may read (``permissions.readable_cases_clause``, before anything is counted or ranked)
holding the newest records of the rarest term; of several terms, the others are read on the
candidates alone. The cases holding every term (AND over the case's records) are ranked by
matching records then the newest case, and stop at ``MAX_CASES``. Only then are the matching
records of those cases read (one statement) to build highlighted snippets, each field decrypted
only if the snippet reaches it. A word typed with a capital letter may be a name: the people-matching service
(``casework.cases.listing.search_by_name``) looks it up in the blind index of names too.

No prefix and no phrase search: a keyed token matches a whole (stemmed) word or nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from threading import Lock
from typing import Any, NamedTuple

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    true,
    union_all,
)

from casework import permissions
from casework.advocacy.models import UPRRecommendation
from casework.cases import listing
from casework.cases.models import Case
from casework.core.db import db
from casework.core.i18n import translate
from casework.core.sealing import open_selected
from casework.core.vocab import CaseStatus
from casework.legal.models import Instrument, Provision
from casework.search.index import KINDS, spelling_token, term_token
from casework.search.models import SearchToken
from casework.search.text import query_groups, query_terms, snippet, term_of, words

MAX_CASES = 50
# What a case found shows of itself: its link, its reference and its status.
SHOWN_COLUMNS = (Case.id, Case.public_id, Case.reference, Case.status)
MAX_TERMS = 12
QUERY_MAX_LEN = 300
SNIPPETS_PER_CASE = 3
MAX_CATALOGUE = 20
# Records of the rarest query word read to find candidates: the most a search reads.
SEARCH_WINDOW = 2000
# Candidates of a search of several words fewer than one case in this many between the oldest
# and the newest of them: their other words are looked up case by case, not read over the span
# (a rare word of cases spread over the archive, or a reader of few teams).
SPARSE_CANDIDATES = 8


@dataclass
class Hit:
    """One matching record of a case, with its highlighted excerpt."""

    kind: str
    label: str
    snippet: Markup


@dataclass
class CaseResult:
    case: FoundCase
    score: int
    # Records matched by a word in the query's own script (not only by a spelling key).
    exact: int = 0
    kinds: list[str] = field(default_factory=list)  # labels of the kinds of record that matched
    hits: list[Hit] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # names of the case's people that matched
    more_hits: int = 0


@dataclass
class SearchResults:
    terms: list[str]
    ignored: list[str]
    cases: list[CaseResult]
    more: bool  # more than MAX_CASES cases matched: refine the search
    provisions: list[Provision] = field(default_factory=list)
    instruments: list[Instrument] = field(default_factory=list)
    recommendations: list[UPRRecommendation] = field(default_factory=list)


def _name_words(query: str) -> list[str]:
    """Words typed with a capital letter (in any script), stop words aside: possibly names."""
    return [
        m.group()
        for m in words(query)
        if m.group()[0].isupper() and not m.group().isdigit() and term_of(m.group()) is not None
    ]


@dataclass(frozen=True)
class _Term:
    """One term of a query as index tokens: its own, and its spelling keys in other scripts
    (a record holding any of them matches the term; its own ranks first)."""

    exact: bytes
    spellings: tuple[bytes, ...] = ()

    @property
    def tokens(self) -> tuple[bytes, ...]:
        return (self.exact, *self.spellings)


class FoundCase(NamedTuple):
    """What a case found shows of itself (``SHOWN_COLUMNS``), read as columns, not loaded as
    an object."""

    id: int
    public_id: str
    reference: str
    status: CaseStatus


_BUILT: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_BUILT_LOCK = Lock()
# Statements kept: a few shapes (words, spellings of the rarest) for the accounts searching
# last. Each holds about 0.3 MB (a word looked up by eleven tokens, for one reader: its
# subqueries, their columns and cache key), so 32 of them keep about 10 MB in a worker, where
# 256 kept 80 MB; one is built again in less time than a few searches take.
MAX_BUILT = 32


def _built(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """The statement of this shape, built once (its values bound at each run) and kept for
    the MAX_BUILT shapes used last: building one costs more than running it."""
    with _BUILT_LOCK:
        found = _BUILT.get(key)
        if found is not None:
            _BUILT.move_to_end(key)
            return found
    found = build()
    with _BUILT_LOCK:
        _BUILT[key] = found
        while len(_BUILT) > MAX_BUILT:
            _BUILT.popitem(last=False)
    return found


def _counts_statement(terms: int) -> Any:
    """How many records hold each of ``terms`` terms (any of its tokens, ``:held<i>``),
    each counted up to ``:cap`` on the (token, case, record) index: one statement for every term."""
    held = [
        select(func.count())
        .select_from(
            select(SearchToken.id)
            .where(SearchToken.token.in_(bindparam(f"held{i}", expanding=True)))
            .limit(bindparam("cap"))
            .subquery()
        )
        .scalar_subquery()
        for i in range(terms)
    ]
    return select(*held)


def _rarest(wanted: list[_Term]) -> tuple[_Term, bool]:
    """The term held by the fewest records (each counted up to SEARCH_WINDOW + 1), and
    whether even that one is held by more than SEARCH_WINDOW records."""
    statement = _built(("counts", len(wanted)), lambda: _counts_statement(len(wanted)))
    values: dict[str, Any] = {f"held{i}": list(t.tokens) for i, t in enumerate(wanted)}
    values["cap"] = SEARCH_WINDOW + 1
    counts = dict(zip(wanted, db.session.execute(statement, values).one(), strict=True))
    rarest = min(wanted, key=lambda t: counts[t])
    return rarest, counts[rarest] > SEARCH_WINDOW


def _window(readable: Any, parts: int, within: bool) -> Any:
    """The newest records holding the rarest term, each once, in readable cases: (case,
    whether it holds a token in the query's own script), newest case first, stopped at the
    window. Its values: the rarest term's tokens (``:rare<i>``, ``parts`` of them), the tokens
    in the query's own script (``:exact``), the window (``:window``) and the cases to keep to
    (``:within``); ``readable``: the reader's clause (``permissions.readable_cases_clause``)."""

    def newest(i: int) -> Any:
        # One token's newest readable records, read from the (token, case, record) index alone,
        # in order, and stopped at the window: a list of tokens in one IN would be read whole
        # and sorted.
        part = (
            select(
                SearchToken.case_id,
                SearchToken.record_kind,
                SearchToken.record_id,
                SearchToken.token,
            )
            .join(Case, Case.id == SearchToken.case_id)
            .where(
                SearchToken.token == bindparam(f"rare{i}", type_=SearchToken.token.type),
                readable,
                # A discarded draft has left the lists; its other records keep their tokens.
                Case.hidden_at.is_(None),
            )
            .order_by(SearchToken.case_id.desc())
            .limit(bindparam("window"))
        )
        if within:
            part = part.where(SearchToken.case_id.in_(bindparam("within", expanding=True)))
        return part

    exact = bindparam("exact", expanding=True)
    if parts == 1:
        merged = newest(0).subquery()
    else:
        merged = union_all(*(select(newest(i).subquery()) for i in range(parts))).subquery()
    # The newest records holding the word, each once: a record holds a place by its term and
    # by its spelling key alike ("Qarshi" looks both up), and is one record, one hit.
    return (
        select(
            merged.c.case_id,
            func.max(case((merged.c.token.in_(exact), 1), else_=0)).label("exact"),
        )
        .group_by(merged.c.case_id, merged.c.record_kind, merged.c.record_id)
        .order_by(merged.c.case_id.desc())
        .limit(bindparam("window"))
        .subquery()
    )


def _matching_statement(user: Any, parts: int, several: bool, within: bool) -> Any:
    """For one term, the ranked readable cases holding it (``_matching_cases``), its values
    bound at each run: the window's (``_window``) and how many to rank (``:limit``). For
    ``several``, the cases of the window (their other terms are then read on these cases
    alone, ``_every_term``)."""
    readable = permissions.readable_cases_clause(user)
    window = _window(readable, parts, within)
    if several:
        return select(window.c.case_id).distinct()
    # One word: the window holds every record of it there is to count.
    agg = (
        select(
            window.c.case_id.label("case_id"),
            func.sum(window.c.exact).label("exact"),
            func.count().label("hits"),
        )
        .group_by(window.c.case_id)
        .subquery()
    )
    # Ranked on the index alone (most records matching in the query's script, then most
    # matching records, then the newest case): only the cases shown are read.
    best = (
        select(agg.c.case_id, agg.c.exact, agg.c.hits)
        .order_by(agg.c.exact.desc(), agg.c.hits.desc(), agg.c.case_id.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    # A result shows the case's reference and status (the page and the API alike): its title
    # and narrative are read (and decrypted) only where they hold a snippet.
    return (
        select(*SHOWN_COLUMNS, best.c.exact, best.c.hits)
        .join(best, best.c.case_id == Case.id)
        .where(readable)
        .order_by(best.c.exact.desc(), best.c.hits.desc(), Case.id.desc())
    )


@lru_cache(maxsize=1)
def _held_statement() -> Select[Any]:
    """The index rows of the query's tokens (``:tokens``) in the candidate cases (``:cases``),
    between the oldest and the newest (``:low``, ``:high``): a range of the (token, case,
    record) index for each token, never every row of the cases nor every row of a common
    word."""
    return select(
        SearchToken.case_id, SearchToken.record_kind, SearchToken.record_id, SearchToken.token
    ).where(
        SearchToken.token.in_(bindparam("tokens", expanding=True)),
        SearchToken.case_id.between(bindparam("low"), bindparam("high")),
        # The candidates among the cases of the span, checked on each row read (+ 0: not
        # looked up in an index, case by case and token by token).
        (SearchToken.case_id + 0).in_(bindparam("cases", expanding=True)),
    )


@lru_cache(maxsize=1)
def _held_by_case_statement() -> Select[Any]:
    """The index rows of the query's tokens (``:tokens``) in the candidate cases (``:cases``),
    looked up case by case in the (token, case, record) index: for candidates few and far
    apart, where the span between them would read most rows of a common word."""
    return select(
        SearchToken.case_id, SearchToken.record_kind, SearchToken.record_id, SearchToken.token
    ).where(
        SearchToken.token.in_(bindparam("tokens", expanding=True)),
        SearchToken.case_id.in_(bindparam("cases", expanding=True)),
    )


def _shown_statement(user: Any) -> Select[Any]:
    """What the cases found (``:cases``) show of themselves, those ``user`` may read."""
    return select(*SHOWN_COLUMNS).where(
        Case.id.in_(bindparam("cases", expanding=True)), permissions.readable_cases_clause(user)
    )


def _every_term(
    user: Any, wanted: list[_Term], candidates: set[int], limit: int
) -> list[tuple[FoundCase, int, int]]:
    """Of the candidate cases (readable, holding the rarest term), those holding every term,
    ranked as ``_matching_cases`` says, with their counts: each matching record once (by its
    term or a spelling key alike), and whether one of its tokens is in the query's own
    script."""
    if not candidates:
        return []
    term_of_token: dict[bytes, list[int]] = {}
    for i, t in enumerate(wanted):
        for token in t.tokens:
            term_of_token.setdefault(token, []).append(i)  # two terms may share a spelling key
    exact = {t.exact for t in wanted}
    low, high = min(candidates), max(candidates)
    values = {"tokens": list(term_of_token), "cases": sorted(candidates)}
    if len(candidates) * SPARSE_CANDIDATES <= high - low + 1:
        statement = _held_by_case_statement()
    else:
        statement, values["low"], values["high"] = _held_statement(), low, high
    records: dict[tuple[int, str, int], list[bytes]] = {}
    for case_id, kind, record_id, token in db.session.execute(statement, values):
        records.setdefault((case_id, kind, record_id), []).append(bytes(token))
    held: dict[int, set[int]] = {}
    counts: dict[int, list[int]] = {}  # case: [records in the query's script, records]
    for (case_id, _, _), tokens in records.items():
        held.setdefault(case_id, set()).update(i for tok in tokens for i in term_of_token[tok])
        count = counts.setdefault(case_id, [0, 0])
        count[0] += any(tok in exact for tok in tokens)
        count[1] += 1
    every = [c for c, terms in held.items() if len(terms) == len(wanted)]
    best = sorted(every, key=lambda c: (-counts[c][0], -counts[c][1], -c))[:limit]
    if not best:
        return []
    statement = _built(
        ("shown", permissions.readable_cases_key(user)), lambda: _shown_statement(user)
    )
    shown = {row[0]: FoundCase(*row) for row in db.session.execute(statement, {"cases": best})}
    return [(shown[c], counts[c][0], counts[c][1]) for c in best if c in shown]


def _matching_cases(
    user: Any, wanted: list[_Term], *, within: list[int] | None = None, limit: int
) -> list[tuple[FoundCase, int, int]]:
    """(case, records matched in the query's own script, records matched) of the readable cases
    holding every term (its own token or a spelling key), best first: most records matched in
    the query's own script, then most records matched, then the newest case.

    The cost is bounded whatever the archive holds: the candidates are the readable cases
    holding the rarest term, the newest SEARCH_WINDOW records of it (a word found in more
    records than that ranks the newest cases only, and the page asks for another word); the
    other terms are read on the span of those cases only.
    The statement is built once for each shape and reader (``permissions.readable_cases_key``).
    """
    if not wanted:
        return []
    rarest, _ = _rarest(wanted) if len(wanted) > 1 else (wanted[0], False)
    rare = sorted(rarest.tokens)
    shape = (len(rare), len(wanted) > 1, within is not None)
    statement = _built(
        ("matching", *shape, permissions.readable_cases_key(user)),
        lambda: _matching_statement(user, *shape),
    )
    values: dict[str, Any] = {f"rare{i}": token for i, token in enumerate(rare)}
    values.update(exact=[t.exact for t in wanted], window=SEARCH_WINDOW)
    if within is not None:
        values["within"] = within
    if len(wanted) > 1:
        candidates = set(db.session.scalars(statement, values))
        return _every_term(user, wanted, candidates, limit)
    rows = db.session.execute(statement, {**values, "limit": limit})
    return [(FoundCase(*row[:4]), int(row[4]), int(row[5])) for row in rows]


def too_many_words(query: str) -> bool:
    """Does ``query`` hold more distinct terms than a search matches (MAX_TERMS)? Such a query
    is refused: dropping the words past the limit would find cases lacking them."""
    return len(query_terms(query[:QUERY_MAX_LEN])[0]) > MAX_TERMS


def search_cases(user: Any, query: str) -> SearchResults:
    """The cases ``user`` may read whose free text (or people's names) match every term, in
    its own script or another (``text.spelling_key``)."""
    query = query[:QUERY_MAX_LEN]
    found_terms, ignored = query_terms(query)
    results = SearchResults(found_terms, ignored, [], False)
    if not found_terms or len(found_terms) > MAX_TERMS:  # every word, or no search
        return results
    groups = dict(query_groups(query))
    tokens = {
        term: _Term(term_token(term), tuple(spelling_token(k) for k in groups[term]))
        for term in found_terms
    }
    ranked: dict[int, CaseResult] = {}
    for found, own, hits in _matching_cases(user, list(tokens.values()), limit=MAX_CASES + 1):
        ranked[found.id] = CaseResult(found, hits, own)
    results.more = len(ranked) > MAX_CASES

    # Names: the words that may be names also match people by their matching keys; a case
    # found so still needs every other term in its text.
    name_words = _name_words(query)
    if name_words:
        by_name = listing.search_by_name(user, " ".join(name_words), limit=MAX_CASES)
        if by_name:
            name_terms = {term_of(w) for w in name_words}
            rest = [tok for term, tok in tokens.items() if term not in name_terms]
            ids = [case.id for case, _ in by_name]
            if rest:
                keep = {
                    c.id: (own, hits)
                    for c, own, hits in _matching_cases(user, rest, within=ids, limit=len(ids))
                }
            else:
                keep = dict.fromkeys(ids, (0, 0))
            for person_case, name in by_name:
                if person_case.id not in keep:
                    continue
                own, hits = keep[person_case.id]
                found = FoundCase(*(getattr(person_case, c.key) for c in SHOWN_COLUMNS))
                result = ranked.setdefault(person_case.id, CaseResult(found, hits, own))
                result.score += 1
                result.exact += 1  # a name is matched in any script alike
                if name not in result.names:
                    result.names.append(name)
    ordered = sorted(ranked.values(), key=lambda r: (-r.exact, -r.score, -r.case.id))
    results.more = results.more or len(ordered) > MAX_CASES
    results.cases = ordered[:MAX_CASES]
    spellings = frozenset(k for keys in groups.values() for k in keys)
    every = [tok for term in tokens.values() for tok in term.tokens]
    _add_hits(results.cases, every, set(found_terms), spellings)
    return results


@lru_cache(maxsize=1)
def _records_statement() -> Select[Any]:
    """The records of the cases found (``:cases``) holding a token (``:tokens``), each with
    how many its case has and, for the first SNIPPETS_PER_CASE of its case (in the order of
    KINDS, then by id), the sealed fields a snippet is cut from (as stored: each is decrypted
    only if the snippet reaches it). Built once: only the values bound change."""
    found = (
        select(SearchToken.case_id, SearchToken.record_kind, SearchToken.record_id)
        .where(
            SearchToken.case_id.in_(bindparam("cases", expanding=True)),
            SearchToken.token.in_(bindparam("tokens", expanding=True)),
        )
        .distinct()
        .subquery()
    )
    kind_order = case({k.name: i for i, k in enumerate(KINDS)}, value=found.c.record_kind, else_=99)
    ranked = select(
        found,
        func.row_number()
        .over(partition_by=found.c.case_id, order_by=(kind_order, found.c.record_id))
        .label("position"),
        func.count().over(partition_by=found.c.case_id).label("records"),
    ).subquery()
    query = select(
        ranked.c.case_id,
        ranked.c.record_kind,
        ranked.c.record_id,
        ranked.c.records,
        *(getattr(kind.model, attr) for kind in KINDS for attr, _ in kind.fields),
    ).select_from(ranked)
    for kind in KINDS:
        query = query.outerjoin(
            kind.model,
            and_(
                ranked.c.record_kind == kind.name,
                kind.model.id == ranked.c.record_id,
                ranked.c.position <= SNIPPETS_PER_CASE,
            ),
        )
    return query.order_by(ranked.c.case_id, ranked.c.position)


def _add_hits(
    cases: list[CaseResult], tokens: list[bytes], wanted: set[str], spellings: frozenset[str]
) -> None:
    """The kinds of record that matched in each case, and snippets of the first few records,
    in one statement (only records of cases already found readable). A snippet's fields are
    decrypted in order until one holds a word: those after it are never read."""
    if not cases:
        return
    by_id = {r.case.id: r for r in cases}
    # Each kind's label, and each field's ("Case, narrative"), in the reader's language once
    # for the search, not once for every record found.
    kind_labels = {kind.name: translate(kind.label) for kind in KINDS}
    field_labels = {
        (kind.name, attr): f"{kind_labels[kind.name]}, {translate(label)}"
        for kind in KINDS
        for attr, label in kind.fields
    }
    # Where each kind's fields are in a row (after case, kind, record and count).
    columns: dict[str, list[tuple[Any, int]]] = {}
    at = 4
    for kind in KINDS:
        for attr, _ in kind.fields:
            columns.setdefault(kind.name, []).append((getattr(kind.model, attr), at))
            at += 1
    rows = db.session.execute(_records_statement(), {"cases": list(by_id), "tokens": tokens}).all()
    kinds: dict[int, set[str]] = {}
    matched: dict[str, bool] = {}  # each word of the excerpts matched once for the search
    for row in rows:
        case_id, kind_name, record_id, records = row[0], row[1], row[2], row[3]
        result = by_id[case_id]
        kinds.setdefault(case_id, set()).add(kind_labels[kind_name])
        result.more_hits = max(0, records - SNIPPETS_PER_CASE)
        fields = columns.get(kind_name, ())
        hit = _hit(record_id, [(a, row[i]) for a, i in fields], wanted, spellings, matched)
        if hit is not None:
            attr, made = hit
            result.hits.append(Hit(kind_name, field_labels[(kind_name, attr)], made))
    for case_id, labels in kinds.items():
        by_id[case_id].kinds = sorted(labels, key=lambda label: label.lower())


def _hit(
    record_id: int,
    fields: list[tuple[Any, Any]],
    wanted: set[str],
    spellings: frozenset[str],
    matched: dict[str, bool],
) -> tuple[str, Markup] | None:
    """(the field, its snippet) of the first field of a record holding a word, or None."""
    for attribute, sealed in fields:
        if sealed is None:
            continue
        text = open_selected(db.session, attribute, record_id, sealed)
        if not text:
            continue
        made = snippet(text, wanted, spellings=spellings, matched=matched)
        if made is not None:
            return attribute.key, made[0]
    return None


# --- the legal catalogue and UPR recommendations (not identifying: the database's own search) --


def _catalogue_words(query: str) -> list[str]:
    found: list[str] = []
    for m in words(query[:QUERY_MAX_LEN]):
        word = "".join(ch for ch in m.group() if ch.isalnum())
        if word and word.casefold() not in found:
            found.append(word.casefold())
    return found[:MAX_TERMS]


_SIMPLE = literal_column("'simple'::regconfig")


def tsvector(columns: list[Any]) -> Any:
    """``to_tsvector('simple', coalesce(a, '') || ' ' || coalesce(b, '') ...)`` (immutable
    functions and constants only): the expression the GIN indexes of the catalogue and of UPR
    recommendations are built on (their migration spells it out; a test checks they match)."""
    document = func.coalesce(columns[0], literal_column("''"))
    for col in columns[1:]:
        document = document.op("||")(literal_column("' '")).op("||")(
            func.coalesce(col, literal_column("''"))
        )
    return func.to_tsvector(_SIMPLE, document)


def text_match(columns: list[Any], query_words: list[str]) -> ColumnElement[bool]:
    """Every word, as a word prefix, in these columns of one table (any case): PostgreSQL's
    full-text search (``to_tsvector('simple', ...)``, GIN-indexed), SQLite's FTS5 table of that
    table (``<table>_fts``, over the same columns). The words are letters and digits only."""
    if not query_words:
        return true()
    if db.session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join(f"'{w}':*" for w in query_words)
        return tsvector(columns).op("@@")(func.to_tsquery(_SIMPLE, tsquery))
    searched = columns[0].table
    fts = table(f"{searched.name}_fts", column("rowid"))
    # Restricted to these columns: one the FTS5 table lacks fails the search, not passes over.
    only = " ".join(col.name for col in columns)
    every = " AND ".join(f'"{w}"*' for w in query_words)
    match = f"{{{only}}} : ({every})"
    return searched.c.id.in_(select(fts.c.rowid).where(literal_column(fts.name).op("MATCH")(match)))


def search_catalogue(user: Any, query: str) -> SearchResults:
    """Catalogue entries and UPR recommendations matching every word (what the user may see)."""
    results = SearchResults([], [], [], False)
    query_words = _catalogue_words(query)
    if not query_words:
        return results
    if permissions.can_view_catalogue(user):
        results.provisions = list(
            db.session.scalars(
                select(Provision)
                .where(text_match(PROVISION_COLUMNS, query_words))
                .order_by(Provision.retired, Provision.code)
                .limit(MAX_CATALOGUE)
            )
        )
        results.instruments = list(
            db.session.scalars(
                select(Instrument)
                .where(text_match(INSTRUMENT_COLUMNS, query_words))
                .order_by(Instrument.retired, Instrument.code)
                .limit(MAX_CATALOGUE)
            )
        )
    if permissions.can_view_upr(user):
        results.recommendations = list(
            db.session.scalars(
                select(UPRRecommendation)
                .where(text_match(RECOMMENDATION_COLUMNS, query_words))
                .order_by(UPRRecommendation.id.desc())
                .limit(MAX_CATALOGUE)
            )
        )
    return results


# The columns searched.
# The Russian title and summary too: a Russian word finds the entry (f1a6c3e8b2d5 and
# a4d8e2c6f9b3 index these lists, in this order).
PROVISION_COLUMNS = [
    Provision.code,
    Provision.title,
    Provision.title_ru,
    Provision.summary,
    Provision.summary_ru,
]
INSTRUMENT_COLUMNS = [
    Instrument.code,
    Instrument.title,
    Instrument.title_ru,
    Instrument.summary,
    Instrument.summary_ru,
]
RECOMMENDATION_COLUMNS = [
    UPRRecommendation.number,
    UPRRecommendation.recommending_state,
    UPRRecommendation.text,
    UPRRecommendation.themes,
]


def search(user: Any, query: str) -> SearchResults:
    """Cases (keyed token index) and the catalogue (database full-text search), in one."""
    results = search_cases(user, query)
    catalogue = search_catalogue(user, query)
    results.provisions = catalogue.provisions
    results.instruments = catalogue.instruments
    results.recommendations = catalogue.recommendations
    return results
