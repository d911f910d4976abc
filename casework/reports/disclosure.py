"""Which groups a set of published counts gives away exactly: a linear audit.

Each published count is a sum of atoms (the finest groups the publications' filters can tell
apart: a row's group in a year and a status). A group of atoms is worked out from the published
counts when its indicator vector lies in the row space of theirs: 12 (2011-2012) + 12
(2012-2013) - 22 (2011-2013) is the count of 2012. Exact elimination over fractions: a
rounding error would call a group hidden that is not.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction

Vector = dict[int, Fraction]


class Span:
    """The row space of some vectors of atoms, in echelon form: each row keyed by its first
    atom (its pivot, coefficient 1), with the combination of the vectors added that makes it
    when ``traced`` (which doubles the work: kept for the span whose answer is named)."""

    def __init__(self, traced: bool = True) -> None:
        self._rows: dict[int, tuple[Vector, Vector]] = {}
        self.traced = traced

    def copy(self) -> Span:
        # Rows are never changed once added: the new span shares them.
        span = Span(self.traced)
        span._rows = dict(self._rows)
        return span

    def _reduce(self, vector: Vector, made_of: Vector) -> tuple[Vector, Vector]:
        """``vector`` less the rows that reach its atoms, first atom first: what is left (empty
        when it is in the span), and the combination of added vectors taken off with it."""
        vector, made_of = dict(vector), dict(made_of)
        waiting = list(vector)
        heapq.heapify(waiting)
        while waiting:
            pivot = heapq.heappop(waiting)
            if pivot not in vector or pivot not in self._rows:
                continue  # taken off already, or no row starts there: it stays
            factor = vector[pivot]
            row, row_made_of = self._rows[pivot]
            for atom, value in row.items():
                if atom not in vector:
                    heapq.heappush(waiting, atom)  # after ``pivot``: the row starts there
                new = vector.get(atom, 0) - factor * value
                if new:
                    vector[atom] = new
                else:
                    vector.pop(atom, None)
            if self.traced:
                for label, value in row_made_of.items():
                    new = made_of.get(label, 0) - factor * value
                    if new:
                        made_of[label] = new
                    else:
                        made_of.pop(label, None)
        return vector, made_of

    def add(self, atoms: Iterable[int], label: int) -> None:
        """Add the vector of ``atoms`` (each once), known by ``label``."""
        vector, made_of = self._reduce({a: Fraction(1) for a in atoms}, {label: Fraction(1)})
        if not vector:
            return
        pivot = min(vector)
        scale = vector[pivot]
        self._rows[pivot] = (
            {a: v / scale for a, v in vector.items()},
            {a: v / scale for a, v in made_of.items()},
        )

    def derivation(self, atoms: Iterable[int]) -> Vector | None:
        """The combination of the vectors added (by label) that gives the sum of ``atoms``
        (empty when not ``traced``); None when they do not determine it."""
        left, taken = self._reduce({a: Fraction(1) for a in atoms}, {})
        return None if left else {label: -v for label, v in taken.items() if v}


def newly_determined(
    earlier: Sequence[tuple[Hashable, Iterable[int]]],
    new: Iterable[Iterable[int]],
    groups: Iterable[frozenset[int]],
) -> set[Hashable] | None:
    """The earlier publications with which the ``new`` counts determine one of ``groups``
    that neither the earlier counts nor the new ones determine alone; None: there is none.

    ``earlier``: (the publication, the atoms of a count it published); ``new``: the atoms of
    each count to publish. A group the earlier counts already gave away is not held against
    the new ones (refusing them would not take it back); one the new ones give away alone is
    the single table's concern (``statistics.publish``).
    """
    earlier = list(earlier)
    new = list(dict.fromkeys(frozenset(atoms) for atoms in new))
    before, alone = Span(traced=False), Span(traced=False)
    for label, (_publication, atoms) in enumerate(earlier):
        before.add(atoms, label)
    both = before.copy()
    for atoms in new:
        alone.add(atoms, -1)
        both.add(atoms, -1)
    for group in groups:
        if both.derivation(group) is None or before.derivation(group) is not None:
            continue
        if alone.derivation(group) is not None:
            continue
        # Which earlier publications give it: the same span, tracing its rows (found once).
        traced = Span()
        for label, (_publication, atoms) in enumerate(earlier):
            traced.add(atoms, label)
        for atoms in new:
            traced.add(atoms, -1)
        made_of = traced.derivation(group) or {}
        return {earlier[label][0] for label in made_of if label >= 0}
    return None
