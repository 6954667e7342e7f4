"""Pay instructions for payroll (SPEC 10, `attendance.payroll.v1`).

Derived from the pay calendar: when an employee's sick pay band changes,
unauthorised absence, medical suspension, a phased return, leave paid in
lieu, injury allowance, the end of employment. Never a reason code or a
note. Each instruction has a stable id - the same instruction derived again
has the same id - so a payroll system can de-duplicate.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.calendar import add_months
from domain.events import AnnualLeaveTakenWhileSick, InjuryAllowanceGranted, PhasedReturnAgreed
from domain.rulebook import Rulebook
from projections.pay import PayCalendar
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
SCHEMA_VERSION: Literal[1] = 1


class Instruction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(description="stable: the same instruction always has the same id")
    employee_id: str
    effective: date


class SickPayBandChanged(Instruction):
    type: Literal["SickPayBandChanged"] = "SickPayBandChanged"
    band: Literal["full", "half", "nil", "at_work"] = Field(
        description="occupational sick pay from `effective`; at_work: back on normal pay")
    ssp_daily_rate: str | None = Field(default=None, description="SSP a qualifying day, to 4 places")
    enhancements_included: bool = False


class UnauthorisedAbsence(Instruction):
    type: Literal["UnauthorisedAbsence"] = "UnauthorisedAbsence"
    until: date | None = Field(description="last unpaid day; null while open")


class MedicalSuspension(Instruction):
    type: Literal["MedicalSuspension"] = "MedicalSuspension"
    until: date | None = Field(description="last day at full pay on suspension; null while open")


class PhasedReturn(Instruction):
    type: Literal["PhasedReturn"] = "PhasedReturn"
    full_pay_until: date
    excess_until: date | None = Field(description="beyond full pay: annual leave or unpaid until this day")


class AnnualLeavePaymentInLieu(Instruction):
    type: Literal["AnnualLeavePaymentInLieu"] = "AnnualLeavePaymentInLieu"
    until: date
    hours: float


class InjuryAllowance(Instruction):
    type: Literal["InjuryAllowance"] = "InjuryAllowance"
    until: date
    percent: float


class EmploymentEnded(Instruction):
    type: Literal["EmploymentEnded"] = "EmploymentEnded"


PayrollInstruction = Annotated[
    SickPayBandChanged | UnauthorisedAbsence | MedicalSuspension | PhasedReturn | AnnualLeavePaymentInLieu
    | InjuryAllowance | EmploymentEnded,
    Field(discriminator="type"),
]
INSTRUCTIONS: TypeAdapter = TypeAdapter(PayrollInstruction)


def json_schema() -> dict[str, Any]:
    """The published schema of a message on `attendance.payroll.v1`."""
    schema = INSTRUCTIONS.json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://attendance-ledger.example/schemas/payroll-instruction.v1.json",
            "title": "Attendance Ledger payroll instruction, version 1", **schema}


def _id(employee_id: str, kind: str, effective: date, *detail: Any) -> str:
    key = json.dumps([employee_id, kind, effective.isoformat(), *map(str, detail)])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def payroll_instructions(view: EmployeeView, rulebook: Rulebook) -> list[Instruction]:
    """Every instruction the history implies up to `as_of`, in date order."""
    employee = view.employee_id
    out: list[Instruction] = []
    if view.employment_ended is not None:  # a fact, not a pay rule: payroll needs it under any terms
        out.append(EmploymentEnded(id=_id(employee, "EmploymentEnded", view.employment_ended),
                                   employee_id=employee, effective=view.employment_ended))
    if rulebook.sick_pay is None:  # pay is in the employee's terms and conditions (Jersey)
        return out
    pay = PayCalendar(view, rulebook.sick_pay)

    previous = None
    sick_days = sorted(set(pay.osp) | {d + ONE_DAY for d in pay.osp})
    for day in sick_days:
        if day > view.as_of:
            break
        today = pay.day(day)
        band = today.band if today.status == "sick" else "at_work"
        if band != previous and not (previous is None and band == "at_work"):
            rate = next((pay.ssp_days[d][0] for d in sorted(pay.ssp_days) if d >= day and pay.ssp_days[d][0] > 0
                         and pay.osp.get(d, ("", ""))[0] == band), None) if band != "at_work" else None
            out.append(SickPayBandChanged(
                id=_id(employee, "SickPayBandChanged", day, band), employee_id=employee, effective=day,
                band=band, ssp_daily_rate=f"{rate:.4f}" if rate else None,  # type: ignore[arg-type]  # validated
                enhancements_included=today.enhancements_included))
        previous = band

    # From the facts, not the days, so that an open span keeps its id until it closes.
    for start, end in pay.unauthorised_spans():
        if start <= view.as_of:
            out.append(UnauthorisedAbsence(id=_id(employee, "UnauthorisedAbsence", start, end), employee_id=employee,
                                           effective=start, until=end))
    for start, end in pay.suspensions():
        if start <= view.as_of:
            out.append(MedicalSuspension(id=_id(employee, "MedicalSuspension", start, end), employee_id=employee,
                                         effective=start, until=end))
    weeks = rulebook.sick_pay.phased_return_full_pay_weeks or 0
    for agreed in view.of_type(PhasedReturnAgreed):
        last = agreed.start + timedelta(days=int(agreed.weeks * 7) - 1)
        full_until = min(last, agreed.start + timedelta(weeks=weeks) - ONE_DAY)
        out.append(PhasedReturn(id=_id(employee, "PhasedReturn", agreed.start, agreed.weeks), employee_id=employee,
                                effective=agreed.start, full_pay_until=full_until,
                                excess_until=last if last > full_until else None))
    for taken in view.of_type(AnnualLeaveTakenWhileSick):
        if taken.from_ <= view.as_of and pay.day(taken.from_).band in ("half", "nil"):
            out.append(AnnualLeavePaymentInLieu(
                id=_id(employee, "AnnualLeavePaymentInLieu", taken.from_, taken.to, taken.hours),
                employee_id=employee, effective=taken.from_, until=taken.to, hours=taken.hours))
    allowance = rulebook.sick_pay.injury_allowance
    if allowance is not None:
        for grant in view.of_type(InjuryAllowanceGranted):
            until = add_months(grant.from_, allowance.months) - ONE_DAY
            out.append(InjuryAllowance(id=_id(employee, "InjuryAllowance", grant.from_, grant.absence_id),
                                       employee_id=employee, effective=grant.from_, until=until,
                                       percent=allowance.percent))
    return sorted(out, key=lambda i: (i.effective, type(i).__name__, i.id))
