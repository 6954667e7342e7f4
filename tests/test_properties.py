"""Properties of evaluation that hold for any history (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from service.ledger import apply_case
from domain.casefile import parse_case
from api.render import status_document, to_json
from projections.status import evaluate
from tests.cases import case

START = date(2024, 1, 1)
AS_OF = date(2025, 12, 31)
REASONS = ["S10", "S11", "S13", "S25"]

absences = st.lists(
    st.tuples(st.integers(1, 40), st.integers(1, 45), st.sampled_from(REASONS), st.booleans()),
    min_size=0, max_size=12,
)
meetings = st.lists(st.tuples(st.integers(0, 700), st.sampled_from(["informal_review", "formal_review"]),
                              st.sampled_from(["monitoring", "no_further_action", "escalate"])), max_size=3)


def history(spans, reviews, recorded_at: str | None = None):
    """Non-overlapping absences from the drawn gaps and lengths."""
    events, day = [], START
    for n, (gap, length, reason, returned) in enumerate(spans):
        first = day + timedelta(days=gap)
        back = first + timedelta(days=length)
        events.append({"type": "SicknessReported", "absence_id": f"A{n}", "first_day": str(first), "reason": reason})
        if returned or n < len(spans) - 1:
            events.append({"type": "ReturnedToWork", "absence_id": f"A{n}", "first_day_back": str(back)})
        day = back
    events += [{"type": "MeetingHeld", "kind": kind, "date": str(START + timedelta(days=offset)),
                "outcome": outcome} for offset, kind, outcome in reviews]
    if recorded_at:
        events = [{**e, "recorded_at": recorded_at} for e in events]
    return events


def facts(events, registry):
    employee, _, _ = apply_case(parse_case(case("P1", *events)), registry)
    return employee.facts


@settings(max_examples=60, deadline=None)
@given(absences, meetings)
def test_evaluation_is_deterministic(registry, spans, reviews):
    history_facts = facts(history(spans, reviews), registry)
    first = to_json(status_document(evaluate(history_facts, registry, AS_OF)))
    assert first == to_json(status_document(evaluate(list(history_facts), registry, AS_OF)))


@settings(max_examples=60, deadline=None)
@given(absences, meetings, st.randoms(use_true_random=False))
def test_the_import_order_of_events_recorded_at_the_same_moment_is_irrelevant(registry, spans, reviews, rnd):
    events = history(spans, reviews, recorded_at="2026-01-05T09:00:00Z")
    shuffled = list(events)
    rnd.shuffle(shuffled)
    in_order = status_document(evaluate(facts(events, registry), registry, AS_OF))
    assert in_order == status_document(evaluate(facts(shuffled, registry), registry, AS_OF))


@settings(max_examples=60, deadline=None)
@given(absences, meetings, st.data())
def test_an_event_recorded_after_known_at_is_invisible(registry, spans, reviews, data):
    """Evaluating at a known_at before an event was recorded gives what the
    history without it gives. The late event is a meeting, or the last
    absence with its return (moving another would break the invariants)."""
    events = history(spans, reviews)
    last_absence = f"A{len(spans) - 1}"
    movable = [[e] for e in events if e["type"] == "MeetingHeld"]
    if spans:
        movable.append([e for e in events if e.get("absence_id") == last_absence])
    if not movable:
        return
    late = data.draw(st.sampled_from(movable))
    rest = [e for e in events if not any(e is m for m in late)]
    recorded_late = [{**e, "recorded_at": f"2030-01-01T00:00:0{n}Z"} for n, e in enumerate(late)]
    known_at = datetime(2029, 12, 31, tzinfo=timezone.utc)
    with_late = status_document(evaluate(facts(rest + recorded_late, registry), registry, AS_OF, known_at))
    assert with_late == status_document(evaluate(facts(rest, registry), registry, AS_OF, known_at))
