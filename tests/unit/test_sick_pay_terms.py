import pytest


@pytest.mark.parametrize("completed_years, full, half", [
    (0, 30, 61),    # during the 1st year: 1 month full, 2 months half
    (1, 61, 61),    # during the 2nd year: 2 + 2 months
    (2, 122, 122),  # during the 3rd year: 4 + 4
    (3, 152, 152),  # during the 4th year: 5 + 5
    (4, 152, 152),  # during the 5th year: 5 + 5
    (5, 183, 183),  # after completing 5 years: 6 + 6 (182.5 rounds half up)
    (30, 183, 183),
])
def test_entitlement_months_become_whole_days_rounded_half_up(registry, completed_years, full, half):
    terms = registry.get("sath-w22-v6").sick_pay
    assert terms.entitlement_days(completed_years) == (full, half)
