from datetime import date

from domain.calendar import WorkingCalendar
from domain.history import Absence
from domain.rulebook import Duration
from projections.episodes import link, reaches_day, threshold_day

CAL = WorkingCalendar("england-and-wales", True, [(date.min, ("mon", "tue", "wed", "thu", "fri"))])
AS_OF = date(2025, 12, 31)


def absence(aid, first, last, reason="S13", **kw):
    return Absence(aid, first, last, reason, **kw)


def test_same_reason_within_seven_days_of_the_last_day_links():
    a = absence("A1", date(2025, 3, 3), date(2025, 3, 4))
    b = absence("A2", date(2025, 3, 11), date(2025, 3, 11))
    [episode] = link([a, b], 7, CAL, AS_OF)
    assert episode.absence_ids == ("A1", "A2") and len(episode.lost_days) == 3


def test_eight_days_after_the_last_day_does_not_link():
    a = absence("A1", date(2025, 3, 3), date(2025, 3, 4))
    b = absence("A2", date(2025, 3, 12), date(2025, 3, 12))
    assert len(link([a, b], 7, CAL, AS_OF)) == 2


def test_linking_can_be_switched_off_by_the_rulebook():
    a = absence("A1", date(2025, 3, 3), date(2025, 3, 4))
    b = absence("A2", date(2025, 3, 6), date(2025, 3, 6))
    assert len(link([a, b], None, CAL, AS_OF)) == 2


def test_an_ongoing_absence_loses_working_days_up_to_as_of():
    [episode] = link([absence("A1", date(2025, 3, 3), None)], 7, CAL, date(2025, 3, 12))
    assert len(episode.lost_days) == 8


def test_an_absence_reaches_four_weeks_on_its_twenty_ninth_day():
    a = absence("A1", date(2025, 3, 3), None)
    four_weeks = threshold_day(a.first_day, Duration(days=28), CAL)
    assert four_weeks == date(2025, 3, 31)
    assert reaches_day(a, four_weeks, date(2025, 3, 30)) is None
    assert reaches_day(a, four_weeks, date(2025, 3, 31)) == date(2025, 3, 31)


def test_more_than_twenty_working_days_is_reached_on_the_twenty_first():
    # From Mon 3 Mar 2025: 20 working days run to Fri 28 Mar; the 21st is Mon 31 Mar.
    assert threshold_day(date(2025, 3, 3), Duration(working_days=20), CAL) == date(2025, 3, 31)
    # Over Easter 2025 (Good Friday 18 Apr, Easter Monday 21 Apr) two more calendar days are needed.
    assert threshold_day(date(2025, 4, 1), Duration(working_days=20), CAL) == date(2025, 5, 1)


def test_a_return_before_the_threshold_means_it_is_never_reached():
    a = absence("A1", date(2025, 3, 3), date(2025, 3, 30))
    assert reaches_day(a, threshold_day(a.first_day, Duration(days=28), CAL), AS_OF) is None
