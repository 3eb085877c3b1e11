from decimal import Decimal

import pytest

from assessments.scoring import ItemInput, Poll, inspection_score, round_points

D = Decimal


def items(**overrides):
    base = [
        ItemInput("A1", D("10"), D("2")),
        ItemInput("A2", D("5"), D("1")),
        ItemInput("G1", D("5"), is_satisfaction_poll=True),
    ]
    return [overrides.get(i.code, i) for i in base]


GOOD_POLL = Poll(8, 2, 0)


def test_full_marks_without_findings():
    result = inspection_score(items(), poll=GOOD_POLL)
    assert result.score == D("100.00")


def test_deduction_is_capped_at_the_item_maximum():
    result = inspection_score(
        items(A1=ItemInput("A1", D("10"), D("2"), occurrences=9)), poll=GOOD_POLL
    )
    assert result.items["A1"] == D("0.00")
    # 0 + 5 + 5 of 20
    assert result.score == D("50.00")


def test_not_applicable_item_leaves_the_maximum():
    result = inspection_score(
        items(
            A1=ItemInput("A1", D("10"), D("2"), occurrences=1),
            A2=ItemInput("A2", D("5"), D("1"), not_applicable=True),
        ),
        poll=GOOD_POLL,
    )
    assert result.items["A2"] is None
    assert result.applicable_max == D("15")
    # (8 + 5) / 15
    assert result.score == D("86.67")


def test_veto_gives_the_schemes_veto_score():
    result = inspection_score(items(), poll=GOOD_POLL, vetoed=True)
    assert result.score == D("0.00")
    assert inspection_score(
        items(), poll=GOOD_POLL, vetoed=True, veto_score=D("60")
    ).score == D("60.00")


def test_poll_below_the_minimum_sample_counts_as_not_applicable():
    result = inspection_score(items(), poll=Poll(5, 0, 4), min_sample=10)
    assert result.items["G1"] is None
    assert not result.poll_valid
    assert result.applicable_max == D("15")
    assert result.score == D("100.00")


def test_poll_earns_maximum_times_satisfied_share():
    result = inspection_score(items(), poll=Poll(6, 1, 3), min_sample=10)
    assert result.items["G1"] == D("3.50")
    # (10 + 5 + 3.5) / 20
    assert result.score == D("92.50")


def test_rounds_half_up_once_at_the_end():
    # 1 / 3 poll share: 5 × 1/3 = 1.666…; unrounded sum keeps precision.
    result = inspection_score(
        [ItemInput("G1", D("5"), is_satisfaction_poll=True)],
        poll=Poll(1, 0, 2),
        min_sample=3,
    )
    assert result.score == D("33.33")
    assert round_points(D("0.125")) == D("0.13")
    assert round_points(D("2.675")) == D("2.68")


def test_negative_occurrences_are_refused():
    with pytest.raises(ValueError):
        inspection_score(items(A1=ItemInput("A1", D("10"), D("2"), occurrences=-1)))
