"""Readable renderings of a status and of the worklist, with citations."""

from __future__ import annotations

from typing import Any

LEVELS = {0: "none", 1: "informal (stage 1)", 2: "formal (stage 2)", 3: "final (stage 3)"}


def status_text(status: dict[str, Any]) -> str:
    short, long = status["tracks"]["short_term"], status["tracks"]["long_term"]
    lines = [
        f"Employee {status['employee_id']} on {status['as_of']} under {status['policy']}"
        + (f" (as known at {status['known_at']})" if status["known_at"] else ""),
        f"  Short-term track: level {short['level']} {LEVELS[short['level']]}; "
        f"{short['working_days_lost_12m']} working days lost and {short['episodes_12m']} episodes "
        f"in the rolling 12 months",
    ]
    if short["monitoring_start"]:
        lines.append(f"    monitoring from {short['monitoring_start']} until {short['monitoring_until']}")
    lines.append(f"  Long-term track: level {long['level']} {LEVELS[long['level']]}"
                 + (f"; absent {long['current_absence_days']} calendar days ({long['current_absence_id']})"
                    if long["current_absence_id"] else ""))
    if status["employment_ended"]:
        lines.append(f"  Employment ended {status['employment_ended']}")
    lines.append("Reviews due:" if status["reviews_due"] else "Reviews due: none")
    for review in status["reviews_due"]:
        lines.append(f"  - stage {review['stage']} {review['kind']} ({review['track']}), "
                     f"triggered {review['triggered_on']}")
        for rule in review["rules"]:
            lines.append(f"      {rule['rule']}: {rule['counted']} counted against {rule['threshold']} "
                         f"from {rule['window']['from']} to {rule['window']['to']} [{rule['citation']}]")
    open_actions = [a for a in status["actions"] if not a["done"]]
    lines.append("Actions open:" if open_actions else "Actions open: none")
    for action in open_actions:
        flag = "OVERDUE " if action["overdue"] else ""
        lines.append(f"  - {flag}{action['kind']} for {action['subject']} by {action['due_by']} "
                     f"[{action['citation']}]")
    pay, leave = status["sick_pay"], status["annual_leave"]
    lines.append(f"Sick pay: {pay['band']} ({pay['full_pay_days_remaining']} full, "
                 f"{pay['half_pay_days_remaining']} half days left)"
                 + (f"; half pay from {pay['half_pay_from']}" if pay["half_pay_from"] else "")
                 + (f"; nil pay from {pay['nil_pay_from']}" if pay["nil_pay_from"] else ""))
    lines.append(f"Annual leave: {leave['entitlement_hours']} h entitlement, {leave['taken_hours']} h taken, "
                 f"{leave['balance_hours']} h left")
    lines.append(f"Bradford factor (information only): {status['bradford_factor']}")
    return "\n".join(lines)


def worklist_text(items: list[dict[str, Any]]) -> str:
    if not items:
        return "Nothing due."
    rows = [(i["date"], i["employee_id"], i["manager_id"] or "-", i["item"], i["citation"]) for i in items]
    widths = [max(len(str(r[c])) for r in rows) for c in range(4)]
    header = ("date", "employee", "manager", "item")
    widths = [max(w, len(h)) for w, h in zip(widths, header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  citation"]
    for row in rows:
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row[:4], widths)) + f"  {row[4]}")
    return "\n".join(lines)
