"""Form errors name the field the console's error summary links to."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.console.forms import form_errors
from domain.events import FitNoteReceived, SicknessReported
from domain.exceptions import InvalidEvent


def test_each_model_error_names_its_field_in_words():
    with pytest.raises(ValidationError) as error:
        SicknessReported.model_validate({"absence_id": "A1", "first_day": "2025-13-01", "reason": "S77"})
    assert [e["field"] for e in form_errors(error.value)] == ["first_day", "reason"]
    assert form_errors(error.value)[1]["message"] == \
        "Reason: unknown ESR reason code 'S77' (expected S10..S32, S98, S99)"


def test_a_date_order_error_names_the_later_field():
    with pytest.raises(ValidationError) as error:
        FitNoteReceived.model_validate({"absence_id": "A1", "issued_on": "2025-06-09", "covers_from": "2025-06-09",
                                        "covers_to": "2025-06-01", "received_on": "2025-06-10"})
    assert form_errors(error.value) == [{"field": "covers_to",
                                         "message": "Covers to: must not be before covers_from (2025-06-09)"}]


def test_a_ledger_error_names_the_field_without_its_place_in_a_document():
    assert form_errors(InvalidEvent("events[3].first_day_back", "must be after the first day")) == \
        [{"field": "first_day_back", "message": "First day back: must be after the first day"}]
