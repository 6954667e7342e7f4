"""Pay instructions for payroll (attendance.payroll.v1)."""

from __future__ import annotations

from datetime import date

from domain.casefile import parse_case
from projections.payroll import payroll_instructions
from projections.view import EmployeeView
from service.ledger import apply_case
from tests.cases import absence, case


def test_a_leaver_whose_pay_is_in_their_terms_still_reaches_payroll_as_employment_ended(registry):
    """Jersey's rulebook holds no sick pay terms, so no band changes are
    derived; the end of employment is a fact payroll needs under any terms."""
    jersey = case("J1", *absence("B1", "2025-06-02", "2025-06-05"),
                  {"type": "EmploymentEnded", "effective": "2025-09-30", "reason": "resignation"},
                  calendar="jersey", policy="soj-ma-1.5", terms="soj")
    employee, _, _ = apply_case(parse_case(jersey), registry)
    view = EmployeeView.of(employee.facts, date(2025, 11, 28))
    [ended] = payroll_instructions(view, registry.get(view.policy))
    assert (ended.type, ended.effective) == ("EmploymentEnded", date(2025, 9, 30))
