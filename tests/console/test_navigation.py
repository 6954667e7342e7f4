"""Each role's navigation lists only the pages it may open."""

from __future__ import annotations

import pytest

from api.auth import Caller, Role
from api.console.pages import navigation


@pytest.mark.parametrize(("role", "pages"), [
    (Role.manager, ["Worklist", "Reports"]),
    (Role.hr, ["Worklist", "Reports", "Policies", "Audit"]),
    (Role.auditor, ["Worklist", "Reports", "Policies", "Audit"]),
    (Role.payroll, ["Pay and leave"]),
    (Role.employee, ["My record"]),
])
def test_each_role_sees_only_its_pages(role, pages):
    assert [item["label"] for item in navigation(Caller("u1", role, "E1"), "/")] == pages


def test_the_current_page_is_marked_and_nobody_signed_out_gets_navigation():
    items = navigation(Caller("HR1", Role.hr), "/policies/compare")
    assert [i["label"] for i in items if i["current"]] == ["Policies"]
    assert navigation(None, "/sign-in") == []
