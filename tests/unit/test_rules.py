"""Each V6 rule kind on its own, through the engine's building blocks."""

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.calendar import WorkingCalendar, add_months
from domain.events import TriggerAdjusted
from domain.history import Absence
from domain.rulebook import (
    CountingRule,
    RulebookError,
    RulebookRegistry,
    Threshold,
    parse_rulebook,
)
from bench.population import population
from domain.casefile import parse_case
from projections.episodes import link
from projections.triggers import Counter, ShortTermTrack, Thresholds, _evaluate, evaluate_tracks, first_firing
from projections.view import EmployeeView
from service.ledger import apply_case

CAL = WorkingCalendar("england-and-wales", True, [(date.min, ("mon", "tue", "wed", "thu", "fri"))])


def rule(measure, threshold, months=12):
    return CountingRule(id="r", measure=measure, months=months, threshold=Threshold(**threshold), citation="c")


def counter(*spans, patterns=()):
    absences = [Absence(f"A{i}", first, last, f"S{10 + i}") for i, (first, last) in enumerate(spans)]
    return Counter(link(absences, 7, CAL, date(2026, 12, 31)), list(patterns), [date(2015, 1, 5)])


def rolling(months):
    return lambda day: add_months(day, -months) + timedelta(days=1)


def test_working_weeks_are_pro_rata_to_the_days_worked():
    assert Threshold(working_weeks=2).value(5) == 10
    assert Threshold(working_weeks=2).value(3) == 6
    assert Threshold(working_weeks=1).value(4) == 4


def test_working_days_rule_fires_on_the_day_the_threshold_is_reached():
    c = counter((date(2025, 6, 2), date(2025, 6, 6)), (date(2025, 9, 1), date(2025, 9, 5)))
    firing = first_firing(rule("working_days_lost", {"working_weeks": 2}), c, Thresholds(CAL, []),
                          date.min, date(2025, 12, 31), rolling(12))
    assert (firing.fired_on, firing.counted, firing.threshold) == (date(2025, 9, 5), 10, 10)


def test_episodes_rule_fires_on_the_first_day_of_the_episode_that_makes_the_count():
    days = [date(2025, 1, 6), date(2025, 3, 4), date(2025, 5, 6), date(2025, 7, 8)]
    c = counter(*[(d, d) for d in days])
    firing = first_firing(rule("episodes", {"count": 4}), c, Thresholds(CAL, []),
                          date.min, date(2025, 12, 31), rolling(12))
    assert firing.fired_on == date(2025, 7, 8) and firing.absences == ("A0", "A1", "A2", "A3")


def test_a_pattern_fires_on_its_date():
    c = counter(patterns=[date(2025, 6, 16)])
    firing = first_firing(rule("patterns", {"count": 1}), c, Thresholds(CAL, []),
                          date.min, date(2025, 12, 31), rolling(12))
    assert firing.fired_on == date(2025, 6, 16)


def test_an_episode_starting_before_the_window_contributes_nothing_to_it():
    c = counter((date(2024, 12, 30), date(2025, 1, 10)))
    assert c.count("working_days_lost", date(2025, 1, 1), date(2025, 1, 31)) == (0, ())


def test_a_threshold_falls_back_when_an_adjustment_ends():
    adjustment = TriggerAdjusted(from_=date(2025, 1, 1), until=date(2025, 9, 30), days_multiplier=2,
                                 reason="temporary")
    c = counter((date(2025, 6, 2), date(2025, 6, 6)), (date(2025, 9, 1), date(2025, 9, 5)))
    firing = first_firing(rule("working_days_lost", {"working_weeks": 2}), c, Thresholds(CAL, [adjustment]),
                          date.min, date(2025, 12, 31), rolling(12))
    assert (firing.fired_on, firing.threshold) == (date(2025, 10, 1), 10)


def test_a_rule_must_give_its_threshold_in_the_unit_of_its_measure():
    with pytest.raises(ValueError, match="a episodes threshold is given as count"):
        rule("episodes", {"working_days": 4})


SHIPPED = Path(__file__).parents[2] / "domain" / "rulebooks" / "sath-w22-v6.yaml"


def test_a_rulebook_file_that_does_not_validate_names_the_line_and_field():
    text = SHIPPED.read_text().replace("monitoring_months: 12", "monitoring_months: 0")
    line = next(n for n, each in enumerate(text.splitlines(), 1) if "monitoring_months: 0" in each)
    with pytest.raises(RulebookError, match=rf"^custom\.yaml line {line}: short_term\.monitoring_months: Input should"):
        parse_rulebook(text, "custom.yaml")


def test_an_organisation_s_rulebook_replaces_the_shipped_one_of_the_same_id(tmp_path):
    own = SHIPPED.read_text().replace("provisional: false", "provisional: true")
    (tmp_path / "ours.yaml").write_text(own)
    registry = RulebookRegistry.load(tmp_path)
    assert registry.get("sath-w22-v6").provisional
    assert registry.get("sath-w22-v6").content_hash != RulebookRegistry.load().get("sath-w22-v6").content_hash


def test_two_of_an_organisation_s_rulebooks_may_not_share_an_id(tmp_path):
    (tmp_path / "a.yaml").write_text(SHIPPED.read_text())
    (tmp_path / "b.yaml").write_text(SHIPPED.read_text())
    with pytest.raises(RulebookError, match="^b.yaml: rulebook id 'sath-w22-v6' is also in a.yaml"):
        RulebookRegistry.load(tmp_path)


def test_a_missing_rule_field_is_reported_at_its_rule():
    text = SHIPPED.read_text().replace("          citation: sath-w22-v6 11.1.1 stage 1 (4 episodes", "          note: (4 episodes")
    with pytest.raises(RulebookError, match=r"line \d+: short_term\.stages\.0\.rules\.1\.citation: Field required"):
        parse_rulebook(text, "x.yaml")


def test_every_shipped_rulebook_loads(registry):
    assert registry.ids == ["nw-wam-2024", "sath-w22-v5.13", "sath-w22-v6", "soj-ma-1.5"]
    assert registry.get("sath-w22-v5.13").provisional


def test_rulebooks_are_identified_by_content_hash(registry):
    rulebook = registry.get("sath-w22-v6")
    assert len(rulebook.content_hash) == 64


def test_a_rulebook_that_is_not_yaml_is_refused_with_its_file_name():
    with pytest.raises(RulebookError, match=r"^bad\.yaml: not valid YAML"):
        parse_rulebook("x: [", "bad.yaml")


def _first_firing_counting_every_day(rule, counter, thresholds, low, high, window_start):
    """The search as it was: every candidate day counted until one is met."""
    also = thresholds.change_days + ([low] if low > date.min else [])
    for day in counter.candidates(rule.measure, low, high, also):
        firing = _evaluate(rule, counter, thresholds, day, window_start)
        if firing.fired_on is not None:
            return firing
    return replace(_evaluate(rule, counter, thresholds, max(low, high), window_start), fired_on=None)


def test_days_skipped_as_unable_to_reach_the_threshold_never_hide_a_firing(registry):
    # first_firing skips days whose count cannot have risen to the threshold;
    # for a synthetic workforce under every rulebook, on two days, and from
    # level 0 as well as where each track stands, it finds what counting finds
    for case in population(150):
        employee, _, _ = apply_case(parse_case(case), registry)
        for as_of in (date(2025, 3, 31), date(2025, 12, 31)):
            view = EmployeeView.of(employee.facts, as_of)
            for policy in registry.ids:
                rulebook = registry.get(policy)
                tracks = evaluate_tracks(view, rulebook)
                fresh = ShortTermTrack(rulebook, tracks.counter, tracks.short_term.thresholds)
                for track in (tracks.short_term, fresh):
                    for each_rule, low, high, window_start in track.rule_windows(as_of):
                        args = (each_rule, track.counter, track.thresholds, low, high, window_start)
                        assert first_firing(*args) == _first_firing_counting_every_day(*args)
