"""The pre-registered rule of ``bench/kinds_encoder.py`` (the MiniLM sentence embedding in
the opinion model) and its count of changed predictions: they decide what the
benchmark's table says, so they are checked on small made-up scores."""

from __future__ import annotations

from bench import kinds_encoder as bench

CURRENT = bench.CURRENT


def test_a_recipe_must_beat_the_current_one_on_both_scores_by_the_margin() -> None:
    results = {
        CURRENT: (0.857, 0.795),
        ("d", 1.0, 3.0, 0.7): (0.870, 0.811),  # ahead by 0.013 and 0.016
        ("e", 1.0, 3.0, 0.7): (0.880, 0.800),  # S2 only 0.005 ahead
        ("f", 1.0, 3.0, 0.7): (0.866, 0.804),  # ahead by 0.009 each: not enough
        ("d", 3.0, 3.0, 0.7): (0.867, 0.805),  # ahead by exactly 0.010 each
    }
    assert [recipe for recipe, _ in bench.earners(results)] == [
        ("d", 1.0, 3.0, 0.7),
        ("d", 3.0, 3.0, 0.7),
    ]


def test_no_recipe_ahead_means_none_earns_its_cost() -> None:
    results = {CURRENT: (0.857, 0.795), ("f", 0.3, 1.0, 0.5): (0.900, 0.790)}
    assert bench.earners(results) == []


def test_the_winner_is_the_highest_sum() -> None:
    results = {
        CURRENT: (0.80, 0.80),
        ("d", 0.3, 1.0, 0.5): (0.85, 0.82),  # 1.67
        ("e", 0.3, 1.0, 0.5): (0.82, 0.86),  # 1.68
    }
    assert bench.earners(results)[0][0] == ("e", 0.3, 1.0, 0.5)


def test_checkable_changes_count_only_a_change_of_side() -> None:
    before = ["event", "opinion", "comparison", "question", "cause"]
    after = ["comparison", "event", "opinion", "question", "opinion"]
    # event -> comparison and question -> question keep their side; three cross it.
    assert bench.checkable_changes(before, after) == 3
