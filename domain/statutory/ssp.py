"""Statutory Sick Pay rules as data (SPEC 7.2): the rates and conditions of
each tax year, validated on load."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import ROUND_DOWN, Decimal
from functools import cache, cached_property
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TaxYear(Model):
    from_: date = Field(alias="from")
    weekly_rate: Decimal = Field(gt=0)
    #: average weekly earnings must reach this for SSP (None: no limit)
    lower_earnings_limit: Decimal | None = None
    waiting_days: int = Field(ge=0)
    #: consecutive days of incapacity that form a PIW
    minimum_piw_days: int = Field(ge=1)
    #: the weekly rate is the lower of this share of earnings and the flat rate
    earnings_percent: Decimal | None = None

    def weekly(self, average_weekly_earnings: Decimal | None) -> Decimal:
        if self.earnings_percent is None or average_weekly_earnings is None:
            return self.weekly_rate
        return min(self.weekly_rate, average_weekly_earnings * self.earnings_percent / 100)


class SspRules(Model):
    citation: str
    link_within_days: int = Field(ge=0)
    maximum_weeks: int = Field(ge=1)
    tax_years: tuple[TaxYear, ...] = Field(min_length=1)

    def year(self, day: date) -> TaxYear | None:
        index = bisect_right(self._year_starts, day)
        return self.tax_years[index - 1] if index else None

    @cached_property  # asked for every day of incapacity
    def _year_starts(self) -> list[date]:
        return [y.from_ for y in self.tax_years]


def daily_rate(weekly: Decimal, qualifying_days_per_week: int) -> Decimal:
    """Weekly rate over the qualifying days, truncated to 4 decimal places."""
    return (weekly / qualifying_days_per_week).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


@cache
def ssp_rules() -> SspRules:
    text = (resources.files("domain") / "statutory" / "ssp.yaml").read_text(encoding="utf-8")
    return SspRules.model_validate(yaml.safe_load(text))
