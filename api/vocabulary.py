"""The event vocabulary as people read it: every event type, what it records
and its fields, from the models themselves (domain.events). It writes
docs/events.md (`python -m api.vocabulary > docs/events.md`; a test fails
when that page is out of date) and serves any help that lists fields.
"""

from __future__ import annotations

from typing import Any

from domain.events import FACT_TYPES, Fact

#: what each event records, citing the policy by title and section
#: (W22 = the SaTH W22 Employee Wellbeing and Attendance Management Policy)
MEANING: dict[str, str] = {
    "EmployeeRegistered": "The employee joins the ledger: contract, calendar and the policy their absence is managed under.",
    "ContractChanged": "Hours, working days, department, manager or pay change from a day on.",
    "RoleChanged": "A transfer or promotion (restarts the new-starter provisions of the Jersey Managing Attendance Policy).",
    "PolicyAssigned": "The employee moves to another policy version from a day on, optionally keeping a stage on each track.",
    "EmploymentEnded": "Employment ends; sick pay ends with it.",
    "SicknessReported": "A sickness absence starts. `reason` is an ESR code (`attendance reasons`); S30 makes it pregnancy related.",
    "PartDayAbsenceRecorded": "Sickness for part of a day: never an episode or a day lost (W22 6.1).",
    "SelfCertified": "The employee self-certified the absence (up to 7 calendar days, W22 section 4).",
    "FitNoteReceived": "A fit note for the absence: needed from the 8th calendar day, due within 7 days of issue (W22 3.8, 5.3).",
    "ReturnedToWork": "The employee is back: the absence's last day is the day before `first_day_back`.",
    "AbsenceAmended": "A correction to an absence's dates or reason; the earlier record is kept for audit.",
    "AbsenceDiscounted": "The manager's discretion: the absence does not count towards triggers (W22 section 4, Managers discretion).",
    "EventRetracted": "An event recorded in error no longer counts (from when the retraction was recorded).",
    "UnauthorisedAbsenceDeclared": "Unauthorised, unpaid absence (W22 7.1).",
    "UnauthorisedAbsenceRescinded": "An unauthorised absence declaration is withdrawn.",
    "MedicalSuspensionStarted": "Medical suspension on full pay, not sickness (W22 7.2).",
    "MedicalSuspensionEnded": "The medical suspension ends.",
    "AnnualLeaveBooked": "Annual leave is booked.",
    "AnnualLeaveCancelled": "Booked annual leave is cancelled.",
    "AnnualLeaveConvertedToSickness": "Sickness during annual leave: the leave is given back if reported as the procedure says (W22 9.4.3).",
    "AnnualLeaveTakenWhileSick": "Annual leave taken during sickness absence (W22 9.4.5, 9.4.7).",
    "PhasedReturnAgreed": "A phased return (up to 4 weeks at full pay, W22 10.3.1).",
    "AdjustmentAgreed": "A workplace adjustment and when to review it (W22 10.3.2).",
    "OccupationalHealthReferred": "A referral to occupational health.",
    "OccupationalHealthReported": "Occupational health's report and its outcome.",
    "SickPayExtended": "Sick pay extended at the manager's or HR's discretion (W22 5.5).",
    "InjuryAllowanceGranted": "NHS injury allowance for a work-related absence (NHS Terms and Conditions of Service Handbook, section 22).",
    "PatternOfAbsenceIdentified": "The manager's judgement that absences form a pattern (W22 11.2): it is a trigger.",
    "TriggerAdjusted": "A reasonable adjustment (Equality Act 2010) or discretion that raises the employee's trigger thresholds.",
    "MeetingScheduled": "A meeting is arranged; formal meetings need 7 calendar days' notice (W22 11.3).",
    "MeetingHeld": "A welcome-back discussion, wellbeing conversation or review took place, with its outcome.",
    "MeetingCancelled": "A scheduled meeting is cancelled.",
    "AppealLodged": "The employee appeals against a meeting's outcome (within 14 calendar days, W22 11.11).",
    "AppealDecided": "The appeal's decision; `overturned` restores the stage before the appealed meeting.",
    "MedicalSuspensionReviewed": "A medical suspension's continuation reviewed (W22 7.2: at 10-day intervals).",
    "SickPayWithheld": "Sick pay not payable for the days given (W22 9.2): nil pay, no entitlement used.",
    "StressRiskAssessmentCompleted": "The individual's stress risk assessment is completed (W22 5.6).",
    "RedeploymentConsidered": "Redeployment into a suitable vacancy considered before a final review (W22 11.6.4).",
    "ActionPlanAgreed": "A personal improvement action plan agreed, with the day it is reviewed (nw-wam-2024).",
    "OutcomeLetterSent": "The written outcome of a formal or final review is sent to the employee.",
}

ENVELOPE = ("event_id", "recorded_at", "actor", "correlation_id")


def _kind(schema: dict[str, Any]) -> str:
    """A field's type in words, from its JSON schema."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    words = []
    for option in options:
        if "enum" in option:
            words.append("one of " + ", ".join(f"`{v}`" for v in option["enum"]))
        elif option.get("type") == "array":
            words.append(f"list of ({_kind(option['items'])})")
        elif option.get("format") == "date":
            words.append("date")
        elif option.get("format") == "date-time":
            words.append("timestamp")
        elif option.get("type") == "object":
            keys = option.get("propertyNames", {}).get("enum")
            words.append("object" + (f" keyed by {', '.join(f'`{k}`' for k in keys)}" if keys else ""))
        else:
            word = {"string": "text", "number": "number", "integer": "whole number", "boolean": "true or false"}
            words.append(word.get(option.get("type"), option.get("type", "any")))
        bounds = [f"{name} {option[key]}" for key, name in (("exclusiveMinimum", "more than"), ("minimum", "at least"),
                                                             ("maximum", "at most"), ("minLength", "length at least"))
                  if key in option]
        if bounds:
            words[-1] += f" ({', '.join(bounds)})"
    return " or ".join(words)


def fields(model: type[Fact]) -> list[dict[str, Any]]:
    """Each payload field: name, type in words, required, default, set by the ledger."""
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", ()))
    rows = []
    for name, field in schema["properties"].items():
        if name in ENVELOPE:
            continue
        rows.append({"name": name, "type": _kind(field), "required": name in required,
                     "default": field.get("default"), "ledger": name in model.stamped_by_ledger})
    return rows


def _default(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def markdown() -> str:
    lines = [
        "# The event vocabulary",
        "",
        "<!-- Generated from domain/events.py by `python -m api.vocabulary > docs/events.md`;",
        "     tests/unit/test_docs.py fails when this page is out of date. -->",
        "",
        "Everything the ledger knows is one of these events on an employee's record. They are the",
        "`type` values of a case file (see [case files](case-files.md)) and of",
        "`POST /employees/{employee_id}/events`. Dates are `YYYY-MM-DD`; timestamps are ISO 8601",
        "with a time zone. Unknown fields are refused, naming the field.",
        "",
        "Policies are cited by title and section; *W22* is the SaTH W22 Employee Wellbeing and",
        "Attendance Management Policy.",
        "",
        "## Every event also carries",
        "",
        "| field | meaning |",
        "|---|---|",
        "| `recorded_at` | when the ledger learned it (timestamp). Recording now sets it (a client may not send it); an import keeps the file's, by default the end of the event's own day. Queries `--known-at` an earlier time do not see it. |",
        "| `actor` | who recorded it, set by the ledger: the token's subject, or who imported the file (`import` from the command line). A client or case file may not send it. |",
        "| `correlation_id` | optional: ties the event to a request (an `Idempotency-Key`). |",
        "| `event_id` | the event's number on the record, set by the ledger; `EventRetracted.event_ref` names it. |",
        "",
    ]
    for name, model in FACT_TYPES.items():
        lines += [f"## `{name}`", "", MEANING[name], ""]
        if model.effective_field:
            lines += [f"Takes effect on `{model.model_fields[model.effective_field].alias or model.effective_field}`.", ""]
        lines += ["| field | type | required | default |", "|---|---|---|---|"]
        for row in fields(model):
            required = "yes" if row["required"] else ("set by the ledger" if row["ledger"] else "no")
            lines.append(f"| `{row['name']}` | {row['type']} | {required} | {_default(row['default'])} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
