"""The linear audit of publications: which groups published counts give away together."""

from __future__ import annotations

from casework.reports.disclosure import Span, newly_determined


def test_a_sum_in_the_span_of_published_sums_is_worked_out_with_its_combination():
    # Atoms: 0 = 2011, 1 = 2012, 2 = 2013.
    span = Span()
    span.add([0, 1], 10)
    span.add([1, 2], 20)
    assert span.derivation([1]) is None
    span.add([0, 1, 2], 30)
    assert span.derivation([1]) == {10: 1, 20: 1, 30: -1}  # 12 + 12 - 22
    assert span.derivation([0, 1, 2]) == {30: 1}
    assert span.derivation([3]) is None


def test_the_new_counts_are_refused_only_for_what_they_give_away_with_earlier_ones():
    earlier = [("2011-2012", [0, 1]), ("2012-2013", [1, 2])]
    assert newly_determined(earlier, [[0, 1, 2]], [frozenset([1])]) == {"2011-2012", "2012-2013"}
    # Years that share no case, each published whole: nothing new.
    assert newly_determined([("2011", [0])], [[1]], [frozenset([1])]) is None
    # A group the earlier counts gave away already is not held against the new ones, nor one
    # the new ones give away alone (the single table's rules answer for that).
    assert newly_determined([("a", [1]), ("b", [2])], [[0, 1, 2]], [frozenset([1])]) is None
    assert newly_determined([("a", [0, 1])], [[1]], [frozenset([1])]) is None
    # "Other" rows: Uzbekistan and Tajikistan together (atoms 0, 1 in 2011; 2, 3 in 2012) in
    # each year, then each over both years: nothing single is worked out. Had 2012 published
    # each alone, Uzbekistan over both years less Uzbekistan in 2012 would give 2011's.
    earlier = [("2011", [0, 1]), ("2012", [2, 3])]
    singles = [frozenset([atom]) for atom in range(4)]
    assert newly_determined(earlier, [[0, 2], [1, 3]], singles) is None
    earlier = [("2011", [0, 1]), ("2012", [2]), ("2012", [3])]
    assert newly_determined(earlier, [[0, 2], [1, 3]], singles) == {"2012"}
