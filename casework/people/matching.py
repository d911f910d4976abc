"""Who may be the same person: blind-index keys of every name, candidate lookup and scoring.

Every visible name of a person is stored as matching keys (see ``names.name_keys``), each a
keyed blind-index token: the names themselves stay encrypted. A query looks its own keys up in
the index (cost: the candidates found, not the number of people), then scores the decrypted
names of those candidates only, with the reason (which spelling matched which): the oldest
first, until as many as are asked for score the most a name can (``_best_of``).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, delete, func, insert, select, type_coerce
from sqlalchemy.orm import load_only

from casework import permissions
from casework.cases.models import Case, CasePerson
from casework.core import indexversions
from casework.core.blindindex import current_index
from casework.core.db import among, db, in_chunks
from casework.core.i18n import gettext
from casework.core.locks import transaction_lock
from casework.core.sealing import open_selected_all
from casework.core.types import PartialDate
from casework.people.models import Person, PersonName, PersonNameKey
from casework.people.names import (
    KEY_PET,
    KEY_PET_FORM,
    name_keys,
    query_keys,
    text_similarity,
)

# At or above this score two names are "possibly the same person" (see tests/data/name_pairs).
MATCH_THRESHOLD = 85.0
# The version of the rules that turn a name into its keys (``names.name_keys``): raise it with
# any change that gives a name other keys; ``refresh_keys`` (``flask seed``) then rebuilds them.
# 2: initials, the Russian surname ending, j for й, "Abd" names, German "tsch".
# 3: keys under other spellings of a letter (Russian г for h between vowels, Turkic p for f);
#    x for кс; an initial J of a German spelling for Й, Ю, Я too.
# 4: Kazakh ң (ng after a vowel) for Russian н; a German J of a given name for Й, Ю, Я, Е.
# 5: invisible characters (soft hyphen, zero-width ones) and stress marks inside a word dropped.
# 6: Greek look-alike letters inside a Latin or Cyrillic word read as that script's letters.
# 7: German "dsch" in a word ending in -ow or -ew (Chodschajew); Uyghur й for h before и
#    (Абдурейим is Abdurehim).
# 8: the spellings the outputs withhold (``names.spelling_forms``): a Turkish c for ч in a word
#    written with a c (Cingiz is Чыңгыз), a German or French initial Ch for х (Chodjaev).
# 9: a German ch for х before a vowel inside a word too (Ilchom is Ильхом, Muchammad Мухаммад).
# 10: a name typed or scanned with a slip keyed as the name it may be (Ho1matov, KhoImatov,
#     lsmoilov, 3арина: ``names.typed_readings``).
# 11: a German ch for х at the end of a word too (Farruch is Фаррух).
# 12: the J of Julia (Julija, Juliya) for Ю in any spelling, not only a German one.
# 13: a Turkish h after e before a consonant for nothing (Mehmet is Memet, Мәмәт).
# 14: pet keys: the first letters of a word, found by a first name said fondly (Дилька finds
#     Дилноза, Гулька Гульнара), and those of a pet form, found by any word.
# 15: a short form is a pet form too (Диля finds Дилноза, Гуля Гульнара).
# 16: a final kh or x after a vowel for Russian к too (Farrukh, Фаррух: Фарук).
RULES_VERSION = 16
INDEX_NAME = "people.matching"
# Name search is more forgiving: one surname finds everyone who bears it.
SEARCH_THRESHOLD = 75.0
MAX_CANDIDATES = 500
# A name search lists 50 cases, the best first (and says when more match): it scores fewer.
SEARCH_CANDIDATES = 200
# The policy is asked of at most this many of the best-ranked candidates first (then of the
# rest of the ranking in the database, when too few of them are visible).
POLICY_BATCH = 500


def _purpose(kind: str) -> str:
    return f"person_name.{kind}"


def name_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, token) of every matching key stored for the name ``text``."""
    index = current_index()
    return [(kind, index.token(_purpose(kind), value)) for kind, value in sorted(name_keys(text))]


def _query_token_kinds(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """The query's tokens of its words, and those of the pet keys (a name said fondly)."""
    index = current_index()
    words: set[str] = set()
    pets: set[str] = set()
    for text in texts:
        for kind, value in query_keys(text):
            (pets if kind in (KEY_PET, KEY_PET_FORM) else words).add(
                index.token(_purpose(kind), value)
            )
    return words, pets


# --- keeping the index up to date ----------------------------------------------------------


def index_names(entries: Iterable[PersonName]) -> None:
    """(Re)write the keys of these names: visible names get keys, hidden ones lose them."""
    entries = list(entries)
    if not entries:
        return
    db.session.flush()
    ids = [e.id for e in entries]
    db.session.execute(delete(PersonNameKey).where(PersonNameKey.name_id.in_(ids)))
    rows = [
        {"person_id": e.person_id, "name_id": e.id, "kind": kind, "token": tok}
        for e in entries
        if e.hidden_at is None
        for kind, tok in name_tokens(e.name)
    ]
    if rows:
        db.session.execute(insert(PersonNameKey), rows)


def reindex_person(person: Person) -> None:
    """Rewrite the keys of every name of ``person`` (after a merge, an unmerge, a hide)."""
    db.session.flush()
    db.session.execute(delete(PersonNameKey).where(PersonNameKey.person_id == person.id))
    index_names(person.names)


def reindex_all(batch: int = 1000) -> int:
    """Rebuild the whole index (after a change of key or of the normalisation); returns names."""
    db.session.execute(delete(PersonNameKey))
    count = 0
    last = 0
    while True:
        entries = list(
            db.session.scalars(
                select(PersonName).where(PersonName.id > last).order_by(PersonName.id).limit(batch)
            )
        )
        if not entries:
            return count
        index_names(entries)
        count += len(entries)
        last = entries[-1].id


def refresh_keys() -> str:
    """Rebuild every key if they were made by older rules (an upgrade); else nothing.

    Run by ``flask seed``: after ``make migrate`` or ``make serve``, names recorded before the
    upgrade are found by the new rules too. Two servers starting at once rebuild once."""
    transaction_lock(INDEX_NAME, table="person_name_keys")
    built = indexversions.built_with(INDEX_NAME)
    if built == RULES_VERSION:
        return f"keys up to date (rules {RULES_VERSION})"
    count = reindex_all()
    indexversions.record(INDEX_NAME, RULES_VERSION)
    return f"rebuilt the keys of {count} names (rules {built} -> {RULES_VERSION})"


# --- matching -------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A person who may be the one named, with the evidence."""

    person: Person
    score: float
    matched_name: str  # the person's spelling that matched best
    query_name: str  # the spelling it matched
    names: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person.public_id,
            "names": self.names,
            "score": round(self.score, 1),
            "matched_name": self.matched_name,
            "query_name": self.query_name,
            "reasons": self.reasons,
        }


def _adjust(
    person: _Named, score: float, birth_year: int | None, nationality: str | None
) -> tuple[float, int | None, bool]:
    """The score as birth year and nationality change it; the years apart (None: not known or
    within 1 or 2, which change nothing), whether the nationalities differ."""
    gap = None
    if birth_year and person.birth_date is not None:
        gap = abs(person.birth_date.year - birth_year)
        if gap == 0:
            score = min(100.0, score + 3)
        elif gap > 2:
            score -= 15
        else:
            gap = None
    other = bool(nationality and person.nationality and person.nationality != nationality.upper())
    if other:
        score -= 10
    return score, gap, other


def _reasons(gap: int | None, other_nationality: bool) -> list[str]:
    """What ``_adjust`` found, said."""
    reasons = []
    if gap == 0:
        reasons.append(gettext("same birth year"))
    elif gap is not None:
        reasons.append(gettext("birth years %(gap)s apart", gap=gap))
    if other_nationality:
        reasons.append(gettext("different nationality"))
    return reasons


def candidate_ids(user: Any, names: Iterable[str], *, limit: int | None = None) -> list[int]:
    """Ids of the ``limit`` (default MAX_CANDIDATES) visible people sharing the most matching
    keys with ``names``, best first (ties the newest first: the person recorded today, in an
    urgent case, before older namesakes).

    A common name is shared by thousands in a large archive: ranking by shared keys keeps the
    person who shares all of them among the candidates however many share one, and the number
    scored does not grow with the archive. The ranking reads the index alone (token, person);
    the policy is then asked of a batch of the best, and of the rest of the ranking in one
    statement if too few of them are visible (``_kept``). Someone on few teams has only the
    people of their cases ranked (``permissions.few_teams_people``).
    """
    limit = limit or MAX_CANDIDATES
    words, pets = _query_token_kinds(names)
    theirs = permissions.few_teams_people(user)
    if len(words) == 1:
        # One key (a surname alone): everyone found shares all of it, so the ranking is the
        # newest first, read from the index in that order up to the batch wanted, not counted
        # over every namesake first. Those recorded under a name said fondly that it begins
        # (its pet keys: few) come after them, newest first.
        kept = _kept(user, _bearers({next(iter(words))}, theirs), limit)
        if pets and len(kept) < limit:
            fond = _kept(user, _bearers(pets, theirs), limit)
            kept += [i for i in fond if i not in set(kept)]
        return kept[:limit]
    tokens = words | pets
    if not tokens:
        return []
    shared = func.count(PersonNameKey.token.distinct())
    ranked = (
        select(PersonNameKey.person_id, shared.label("shared"))
        .where(PersonNameKey.token.in_(tokens))
        .group_by(PersonNameKey.person_id)
        .order_by(shared.desc(), PersonNameKey.person_id.desc())
    )
    if theirs is not None:
        # Someone on few teams: only the people of their cases are ranked, not every namesake.
        ranked = ranked.where(PersonNameKey.person_id.in_(theirs))
    return _kept(user, ranked, limit)


def _bearers(tokens: set[str], theirs: Any) -> Any:
    """Everyone holding one of ``tokens``, the newest first, read from the index in order."""
    ranked = (
        select(PersonNameKey.person_id)
        .where(
            PersonNameKey.token.in_(tokens)
            if len(tokens) > 1
            else PersonNameKey.token == next(iter(tokens))
        )
        .distinct()
        .order_by(PersonNameKey.person_id.desc())
    )
    return ranked if theirs is None else ranked.where(PersonNameKey.person_id.in_(theirs))


def _kept(user: Any, ranked: Any, limit: int) -> list[int]:
    """The first ``limit`` people of ``ranked`` that ``user`` may see.

    ``ranked`` selects the people's ids first and is ordered by its columns, the last first,
    each descending (how many keys they share, when it says, then the newest)."""
    # Someone who sees most of the archive keeps nearly all of a batch: a quarter more than
    # wanted is then the one batch, and only it is read (not the thousands of namesakes a
    # common surname has). Whoever sees less has the rest of the ranking asked of the policy
    # in the database, in one statement, up to as many as are still wanted.
    size = min(POLICY_BATCH, limit + limit // 4)
    first = list(db.session.scalars(ranked.limit(size)))
    kept = _visible_of(user, first)
    if len(kept) < limit and len(first) == size:
        rest = ranked.offset(size).subquery()
        kept += db.session.scalars(
            select(rest.c.person_id)
            .join(Person, Person.id == rest.c.person_id)
            .where(permissions.visible_people_clause(user))
            .order_by(*(column.desc() for column in reversed(rest.c)))
            .limit(limit - len(kept))
        )
    return kept[:limit]


def _visible_of(user: Any, ids: list[int]) -> list[int]:
    """Those of ``ids`` (people) that ``user`` may see, in the same order."""
    if not ids:
        return []
    visible = set(
        db.session.scalars(
            select(Person.id).where(among(Person.id, ids), permissions.visible_people_clause(user))
        )
    )
    return [i for i in ids if i in visible]


def readable_cases_of(user: Any, people: Iterable[Person]) -> dict[int, list[str]]:
    """The references of the cases (not hidden) each person is in that ``user`` may read, by
    person id: what tells namesakes apart when choosing among candidates. One query."""
    ids = {p.id for p in people}
    found: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(CasePerson.person_id, Case.reference)
        .join(Case, Case.id == CasePerson.case_id)
        .where(
            CasePerson.person_id.in_(ids),
            CasePerson.hidden_at.is_(None),
            Case.hidden_at.is_(None),
            permissions.readable_cases_clause(user),
        )
        .order_by(Case.reference_key)
    )
    for person_id, reference in rows:
        found[person_id].append(reference)
    return found


@dataclass(slots=True)
class _Named:
    """A candidate as scoring reads it: plain columns and the visible names, in order."""

    id: int
    birth_date: PartialDate | None
    nationality: str | None
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Scored:
    named: _Named
    score: float
    matched_name: str
    query_name: str
    reasons: list[str]


# A candidate as read, names sealed: (id, birth date, nationality, [(name id, sealed name)]).
_SealedPerson = tuple[int, PartialDate | None, str | None, list[tuple[int, Any]]]
# A candidate scored: (score, the candidate, (raw score, their spelling, the query's),
# birth years apart, another nationality).
_Score = tuple[float, _Named, tuple[float, str, str], int | None, bool]


def _sealed_people(ids: Iterable[int]) -> list[_SealedPerson]:
    """The people ``ids``, the oldest record first, with their visible names in order as
    stored: nothing is decrypted.

    Read as columns, not objects: a common name brings hundreds of candidates, and only the
    few returned become objects (``_as_candidates``). Scoring reads names, birth year and
    nationality: the rest of a person (contacts, address, notes, all encrypted) is not read.
    """
    ids = sorted(set(ids))
    found: dict[int, _SealedPerson] = {}
    for batch in in_chunks(ids):
        rows = db.session.execute(
            select(Person.id, Person.birth_date, Person.nationality, PersonName.id, PersonName.name)
            .join(PersonName, PersonName.person_id == Person.id)
            .where(among(Person.id, batch), PersonName.hidden_at.is_(None))
            .order_by(Person.id, PersonName.position)
        ).all()
        for person_id, born, nationality, name_id, sealed in rows:
            person = found.get(person_id)
            if person is None:
                person = found[person_id] = (person_id, born, nationality, [])
            person[3].append((name_id, sealed))
    return [found[i] for i in ids if i in found]


def _opened(people: list[_SealedPerson]) -> list[_Named]:
    """``people`` as ``_sealed_people`` reads them, their names decrypted (in one call)."""
    names = iter(open_selected_all(db.session, PersonName.name, [n for p in people for n in p[3]]))
    return [
        _Named(i, born, nationality, [next(names) for _ in sealed])
        for i, born, nationality, sealed in people
    ]


def _load_people(ids: Iterable[int]) -> dict[int, _Named]:
    """People by id with their visible names, in order, decrypted (chunked, whatever the
    count)."""
    return {named.id: named for named in _opened(_sealed_people(ids))}


# No pair of names scores more (``names.similarity``: each word and initial counts at most
# 100 for its weight; an agreeing birth year lifts a score to this at most, ``_adjust``).
TOP_SCORE = 100.0


def _scores(
    people: Iterable[_Named],
    queries: list[str],
    birth_year: int | None,
    nationality: str | None,
    threshold: float,
) -> list[_Score]:
    """The scores of those of ``people`` scoring ``threshold`` or more."""
    found = []
    for named in people:
        best = (0.0, "", "")
        for stored in named.names:
            for text in queries:
                score = text_similarity(text, stored)
                if score > best[0]:
                    best = (score, stored, text)
        score, gap, other = _adjust(named, best[0], birth_year, nationality)
        if score >= threshold:
            found.append((score, named, best, gap, other))
    return found


def _said(
    found: list[_Score],
    limit: int | None,
) -> list[_Scored]:
    """The ``limit`` best of ``found`` (``_scores``), best first (equal scores the oldest
    record first), with their reasons (said for those kept only)."""
    found = sorted(found, key=lambda c: (-c[0], c[1].id))
    ranked = []
    for score, named, (raw, stored, text), gap, other in found[:limit]:
        matched = gettext(
            "\u201c%(typed)s\u201d matches \u201c%(recorded)s\u201d (%(score)s)",
            typed=text,
            recorded=stored,
            score=f"{raw:.0f}",
        )
        ranked.append(_Scored(named, score, stored, text, [matched, *_reasons(gap, other)]))
    return ranked


def _rank(
    people: Iterable[_Named],
    names: list[str],
    birth_year: int | None,
    nationality: str | None,
    threshold: float,
    limit: int | None = None,
) -> list[_Scored]:
    """The ``limit`` best of ``people`` scoring ``threshold`` or more, with their reasons
    (said for those kept only: an import row scores ten people and keeps five)."""
    queries = [text for text in names if text.strip()]
    return _said(_scores(people, queries, birth_year, nationality, threshold), limit)


def _best_of(
    ids: list[int],
    names: list[str],
    birth_year: int | None,
    nationality: str | None,
    threshold: float,
    limit: int,
) -> list[_Scored]:
    """``_rank`` of the candidates ``ids``, decrypting the names of as few as it takes.

    The best come first, equal scores the oldest record first: the candidates are scored the
    oldest first, and once ``limit`` of them score TOP_SCORE, none after them can come before
    any of them, so their names are never decrypted. A common full name is borne by hundreds
    in a large archive, nearly all scoring TOP_SCORE: about ``limit`` are decrypted, not every
    one of them, and the sealed names of about as many are read (``limit`` and a quarter more,
    then, if too few of them score TOP_SCORE, those of the rest at once).
    """
    queries = [text for text in names if text.strip()]
    ids = sorted(set(ids))
    found: list[_Score] = []
    top = 0
    at = 0
    read: list[_SealedPerson] = []  # read, not yet scored
    while top < limit and (read or at < len(ids)):
        wanted = limit - top
        if len(read) < wanted and at < len(ids):
            # First as many as wanted and a quarter more, seldom too few; then the rest at once.
            more = ids[at : at + limit + limit // 4] if at == 0 else ids[at:]
            at += len(more)
            read += _sealed_people(more)
            continue
        batch, read = read[:wanted], read[wanted:]
        scored = _scores(_opened(batch), queries, birth_year, nationality, threshold)
        found += scored
        top += sum(1 for score, *_ in scored if score >= TOP_SCORE)
    return _said(found, limit)


def _as_candidates(ranked: list[list[_Scored]]) -> list[list[Candidate]]:
    """Candidates of the people kept, loaded as objects in one query per IN list (the columns
    scoring read, and the public id the pages and the API show)."""
    ids = sorted({s.named.id for scored in ranked for s in scored})
    people: dict[int, Person] = {}
    for batch in in_chunks(ids):
        people.update(
            (p.id, p)
            for p in db.session.scalars(
                select(Person)
                .where(among(Person.id, batch))
                .options(
                    load_only(Person.id, Person.public_id, Person.birth_date, Person.nationality)
                )
            )
        )
    return [
        [
            Candidate(
                people[s.named.id], s.score, s.matched_name, s.query_name, s.named.names, s.reasons
            )
            for s in scored
            if s.named.id in people
        ]
        for scored in ranked
    ]


@dataclass
class Query:
    names: list[str]
    birth_year: int | None = None
    nationality: str | None = None


# An import row is scored against at most this many people: those sharing the most of its
# matching keys, then agreeing on birth year and nationality (a common name is shared by
# thousands in a large archive, so what is loaded and scored per row must not grow with it).
ROW_CANDIDATES = 10


def _agreement(facts: tuple[int | None, str | None], query: Query) -> int:
    """How far a person's birth year and nationality agree with a row's (-2 to 2); unknown on
    either side counts as neither."""
    year, nationality = facts
    score = 0
    if query.birth_year and year:
        score += 1 if abs(year - query.birth_year) <= 2 else -1
    if query.nationality and nationality:
        score += 1 if nationality == query.nationality.upper() else -1
    return score


def _index_entries(tokens: list[str]) -> dict[str, set[int]]:
    """The people holding each of ``tokens``, read from the index alone (token, person): not
    a person's row, nor whether the user may see them, for each of a common name's keys."""
    by_token: dict[str, set[int]] = {}
    for batch in in_chunks(tokens):
        rows = db.session.execute(
            select(PersonNameKey.token, PersonNameKey.person_id).where(
                PersonNameKey.token.in_(batch)
            )
        )
        for token, person_id in rows:
            by_token.setdefault(token, set()).add(person_id)
    return by_token


def _facts_of(user: Any, ids: Iterable[int]) -> dict[int, tuple[int | None, str | None]]:
    """Birth year and nationality of those of ``ids`` (people) that ``user`` may see."""
    facts: dict[int, tuple[int | None, str | None]] = {}
    for batch in in_chunks(sorted(set(ids))):
        rows = db.session.execute(
            select(
                Person.id,
                # The ISO text as stored: its year is all that is read.
                type_coerce(Person.birth_date, String),
                Person.nationality,
            ).where(among(Person.id, batch), permissions.visible_people_clause(user))
        )
        for person_id, born, nationality in rows:
            facts[person_id] = (int(born[:4]) if born else None, nationality)
    return facts


def _levels(shared: Counter[int]) -> list[tuple[int, list[int]]]:
    """The people of ``shared`` grouped by the number of keys they share, the most first."""
    by_count: dict[int, list[int]] = {}
    for person, count in shared.items():
        by_count.setdefault(count, []).append(person)
    return sorted(by_count.items(), reverse=True)


def _contenders(
    levels: list[tuple[int, list[int]]], facts: dict[int, Any], asked: set[int]
) -> tuple[Counter[int], set[int]]:
    """Of the people sharing keys with a row (``_levels``), the visible ones who may be among
    its ROW_CANDIDATES: everyone sharing as many keys as the last of them, or more. And those
    whose facts (``_facts_of``) are still to read to know it: if all of them may be seen,
    they are enough; the rest share fewer keys."""
    kept: Counter[int] = Counter()
    unread: set[int] = set()
    for count, people in levels:
        for person in people:
            if person in facts:
                kept[person] = count
            elif person not in asked:
                unread.add(person)
        if len(kept) + len(unread) >= ROW_CANDIDATES:
            break
    return kept, unread


def _most_shared(
    shared: Counter[int], facts: dict[int, tuple[int | None, str | None]], query: Query
) -> set[int]:
    """The ROW_CANDIDATES people of ``shared`` (visible ones, by the number of the row's keys
    each shares) sharing the most; among as many shared keys, those whose birth year and
    nationality agree with the row's, then the oldest."""
    if len(shared) <= ROW_CANDIDATES:
        return set(shared)
    best = heapq.nsmallest(
        ROW_CANDIDATES,
        shared.items(),
        key=lambda item: (-item[1], -_agreement(facts[item[0]], query), item[0]),
    )
    return {person for person, _shared in best}


def match_many(
    user: Any, queries: list[Query], *, threshold: float = MATCH_THRESHOLD, limit: int = 5
) -> list[list[Candidate]]:
    """:func:`find_matches` for many names at once (an import): a few queries in all.

    The index is read once for the keys of every name of the rows (a name of many rows, once)
    and from the index alone. Whether a person may be seen, and their birth year and
    nationality, are read only for the people who may be among a row's ROW_CANDIDATES (see
    ``_contenders``), not for each of the thousands sharing one of its keys: the same people
    are scored as if all were read.
    """
    index = current_index()
    tokens_of = {
        text: {index.token(_purpose(k), v) for k, v in query_keys(text)}
        for text in {text for q in queries for text in q.names}
    }
    wanted = [set().union(*(tokens_of[text] for text in q.names)) for q in queries]
    by_token = _index_entries(sorted(set().union(*wanted))) if wanted else {}
    levels = [_levels(Counter(p for t in w for p in by_token.get(t, ()))) for w in wanted]
    # Read for every row at once; again only for rows some of whose contenders may not be seen
    # (then those sharing fewer keys may be among its best).
    facts: dict[int, tuple[int | None, str | None]] = {}
    asked: set[int] = set()
    kept: list[Counter[int]] = [Counter() for _ in queries]
    pending = list(range(len(queries)))
    while pending:
        unread: set[int] = set()
        waiting = []
        for i in pending:
            kept[i], missing = _contenders(levels[i], facts, asked)
            if missing:
                unread |= missing
                waiting.append(i)
        facts.update(_facts_of(user, unread))
        asked |= unread
        pending = waiting
    ids_per_query = [_most_shared(k, facts, q) for k, q in zip(kept, queries, strict=True)]
    people = _load_people(set().union(*ids_per_query)) if ids_per_query else {}
    return _as_candidates(
        [
            _rank(
                [people[i] for i in sorted(ids) if i in people],
                q.names,
                q.birth_year,
                q.nationality,
                threshold,
                limit,
            )
            for q, ids in zip(queries, ids_per_query, strict=True)
        ]
    )


def find_matches(
    user: Any,
    names: Iterable[str],
    *,
    birth_year: int | None = None,
    nationality: str | None = None,
    threshold: float = MATCH_THRESHOLD,
    exclude: Iterable[int] = (),
    limit: int = 10,
    candidates: int | None = None,
) -> list[Candidate]:
    """People the user may see who may be the person called ``names`` (best first, equal
    scores the oldest record first), of the ``candidates`` (MAX_CANDIDATES) sharing most of its
    matching keys."""
    found = _ranked(user, names, birth_year, nationality, threshold, exclude, candidates, limit)
    return _as_candidates([found])[0]


def matched_names(
    user: Any,
    names: Iterable[str],
    *,
    threshold: float = MATCH_THRESHOLD,
    limit: int = 10,
    candidates: int | None = None,
) -> list[tuple[int, str]]:
    """(person id, the person's spelling that matched) of :func:`find_matches`, in its order,
    for a search that lists cases: the people are not loaded as records (their public ids and
    facts are not read)."""
    found = _ranked(user, names, None, None, threshold, (), candidates, limit)
    return [(s.named.id, s.matched_name) for s in found]


def _ranked(
    user: Any,
    names: Iterable[str],
    birth_year: int | None,
    nationality: str | None,
    threshold: float,
    exclude: Iterable[int],
    candidates: int | None,
    limit: int,
) -> list[_Scored]:
    """The ``limit`` best of the candidates, scored, with their reasons."""
    names = [n for n in names if n and n.strip()]
    skip = set(exclude)
    ids = [i for i in candidate_ids(user, names, limit=candidates) if i not in skip]
    return _best_of(ids, names, birth_year, nationality, threshold, limit)
