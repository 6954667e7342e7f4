"""Renderings at the edge: the SPEC 8 status document (JSON) and readable
text of a status and of the worklist, with citations."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from service.privacy import SMALL_COUNT
from service.status_document import status_document  # noqa: F401 - rendered below the edge, for the read model

LEVELS = {0: "none", 1: "informal (stage 1)", 2: "formal (stage 2)", 3: "final (stage 3)"}


def _settings(value: dict[str, Any]) -> str:
    return ", ".join(f"{key} {','.join(map(str, v)) if isinstance(v, list) else v}" for key, v in value.items())


def to_json(document: dict[str, Any]) -> str:
    """A document as the CLI prints it: the same inputs, the same bytes."""
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False)


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
    if "note" in pay:  # the rulebook holds no sick pay terms
        lines.append(f"Sick pay: {pay['note']}")
    else:
        lines.append(f"Sick pay: {pay['band']} ({pay['full_pay_days_remaining']} full, "
                     f"{pay['half_pay_days_remaining']} half days left)"
                     + (f"; half pay from {pay['half_pay_from']}" if pay["half_pay_from"] else "")
                     + (f"; nil pay from {pay['nil_pay_from']}" if pay["nil_pay_from"] else ""))
    if "note" in leave:
        lines.append(f"Annual leave: {leave['note']}")
    else:
        lines.append(f"Annual leave: {leave['entitlement_hours']} h entitlement, {leave['taken_hours']} h taken, "
                     f"{leave['balance_hours']} h left")
    lines.append(f"Bradford factor (information only): {status['bradford_factor']}")
    return "\n".join(lines)


def worklist_text(items: list[dict[str, Any]]) -> str:
    """A manager's day: overdue, due, upcoming, done late, to consider."""
    if not items:
        return "Nothing due."
    lines: list[str] = []
    for section in ("overdue", "due", "upcoming", "done_late", "to_consider"):
        chosen = [i for i in items if i.get("section", "due") == section]
        if not chosen:
            continue
        lines.append(section.replace("_", " ").upper())
        rows = [(i.get("due") or "-", i["employee_id"], i["manager_id"] or "-",
                 i.get("label", i["item"]) + (f": {i['about']}" if i.get("about") else ""), i["citation"])
                for i in chosen]
        lines += ["  " + line for line in _table(("due", "employee", "manager", "what", "citation"), rows)]
    return "\n".join(lines)


def _table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    widths = [max([len(h)] + [len(str(r[i])) for r in rows]) for i, h in enumerate(header)]
    return ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=False)).rstrip() for row in [header, *rows]]


def replay_text(result) -> str:
    summary = result.as_dict()
    lines = [f"Replay on {summary['as_of']}" + (f" as known at {summary['known_at']}" if summary["known_at"] else "")]
    for policy, totals in summary["totals"].items():
        due = ", ".join(f"{k}: {v}" for k, v in totals["reviews_due"].items()) or "none"
        lines.append(f"  {policy}: {totals['employees']} employees, {totals['with_review_due']} with a review due, "
                     f"{totals['formal_processes']} formal processes; reviews due by track and stage: {due}")
    for attention in summary["needing_attention"]:
        lines.append(f"  needs attention, not counted: {attention['employee_id']} ({attention['error']})")
    if "comparison" in summary:
        for key, value in summary["comparison"].items():
            lines.append(f"  {key.replace('_', ' ')}: {value}")
        first, second = result.policies
        rows = [(e["employee_id"], "; ".join(e[first]["reviews_due"]) or "-",
                 "; ".join(e[second]["reviews_due"]) or "-") for e in result.differences]
        if rows:
            lines += ["", *_table(("employee", first, second), rows)]
    return "\n".join(lines)


def replay_csv(result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ("short_term_level", "long_term_level", "reviews_due", "formal_process")
    writer.writerow(["employee_id", "manager_id", "policy_in_force",
                     *(f"{p}:{c}" for p in result.policies for c in columns), "differs"])
    for row in result.employees:
        writer.writerow([row["employee_id"], row["manager_id"] or "", row["policy_in_force"],
                         *("; ".join(row[p][c]) if c == "reviews_due" else row[p][c]
                           for p in result.policies for c in columns), row["differs"]])
    return buffer.getvalue()


def transition_text(candidates, old: str, new: str) -> str:
    if not candidates:
        return f"No case under {old} to review."
    rows = [(c.employee_id, c.manager_id or "-",
             f"ST {c.old['levels']['short_term']} / LT {c.old['levels']['long_term']}",
             "; ".join(c.old["reviews_due"]) or "-",
             f"ST {c.new['levels']['short_term']} / LT {c.new['levels']['long_term']}",
             "; ".join(c.new["reviews_due"]) or "-", c.reason) for c in candidates]
    return "\n".join(_table(("employee", "manager", f"{old} levels", f"{old} due", f"{new} levels",
                             f"{new} due", "why listed"), rows))


def explain_text(explanation: dict[str, Any]) -> str:
    policy = explanation["policy"]
    lines = [f"Employee {explanation['employee_id']} on {explanation['as_of']}"
             + (f", as known at {explanation['known_at']}" if explanation["known_at"] else ", as known now"),
             f"Policy {policy['id']} ({policy['title']}), rulebook sha256 {policy['content_hash']}"]
    lines += [f"WARNING: {w}" for w in explanation["warnings"]]
    short, long = explanation["tracks"]["short_term"], explanation["tracks"]["long_term"]
    lines.append(f"Levels: short-term {short['level']}, long-term {long['level']}")
    lines.append("Rules evaluated (the next stage on each track):")
    for rule in explanation["rules_evaluated"]:
        verdict = f"MET on {rule['fired_on']}" if rule["met"] else "not met"
        lines.append(f"  - {rule['track']} stage {rule['stage']} {rule['rule']}: {rule['counted']} counted against "
                     f"{rule['threshold']} from {rule['window']['from']} to {rule['window']['to']}: {verdict} "
                     f"[{rule['citation']}]")
    lines.append("Reviews due:" if explanation["reviews_due"] else "Reviews due: none")
    for review in explanation["reviews_due"]:
        lines.append(f"  - stage {review['stage']} {review['kind']} ({review['track']}) from {review['triggered_on']}")
    lines.append("Events counted:")
    for event in explanation["events_counted"]:
        lines.append(f"  - #{event['event_id']} {event['type']} effective {event['effective']}, "
                     f"recorded {event['recorded_at']}")
    for decision in explanation["decisions"]:
        same = {True: "rulebook unchanged since", False: "RULEBOOK CHANGED since", None: "rulebook not recorded"}
        lines.append(f"Decision #{decision['event_id']}: {decision['kind']} on {decision['date']}, "
                     f"{decision['outcome']}, under {decision['policy']} ({same[decision['rulebook_unchanged_since']]})")
    open_actions = [a for a in explanation["actions"] if not a["done"]]
    for action in open_actions:
        choice = "; deadline: the product's choice" if action.get("product_choice") else ""
        lines.append(f"Action: {'OVERDUE ' if action['overdue'] else ''}{action['kind']} for {action['subject']} "
                     f"by {action['due_by']} [{action['citation']}{choice}]")
    for suggestion in explanation.get("pattern_suggestions", []):
        lines.append(f"Pattern to consider (not a trigger): {suggestion['description']}, "
                     f"{suggestion['occurrences']} times [{suggestion['citation']}]")
    if explanation.get("product_choices"):
        lines.append("The product's choices where the policy is silent (rulebook settings an organisation may change):")
        lines += [f"  {c['setting']}: {_settings(c.get('value', {}))} [{c['citation']}]"
                  for c in explanation["product_choices"]]
    return "\n".join(lines)


def pay_csv(days: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    columns = ["date", "status", "band", "pay_percent", "ssp", "ssp_on_top", "rule", "ssp_rule", "citation", "absence_id",
               "injury_allowance", "enhancements_included"]
    writer = csv.DictWriter(buffer, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(days)
    return buffer.getvalue()


def leave_text(document: dict[str, Any]) -> str:
    lines = [f"Annual leave of {document['employee_id']} for the leave year from {document['leave_year_start']} "
             f"({document['policy']}), as of {document['as_of']}"]
    rows = [(e["date"], e["kind"], f"{e['hours']:+.2f}", e["note"] + (f" (expires {e['expires']})" if e["expires"] else ""),
             e["citation"]) for e in document["entries"]]
    lines += _table(("date", "entry", "hours", "detail", "citation"), rows)
    lines.append(f"Entitlement {document['entitlement_hours']} h; taken {document['taken_hours']} h; booked "
                 f"{document['booked_hours']} h; balance {document['balance_hours']} h")
    return "\n".join(lines)


def priority_text(cases: list[dict[str, Any]]) -> str:
    if not cases:
        return "No open cases."
    rows = [(n, c["employee_id"], c["manager_id"] or "-", c.get("sickness_days_lost_12m", c["working_days_lost_12m"]),
             c.get("absences_12m", c.get("episodes_12m")), c["triggers_hit"],
             f"ST {c['short_term_level']} / LT {c['long_term_level']}")
            for n, c in enumerate(cases, 1)]
    return "\n".join(_table(("#", "employee", "manager", "sickness days lost 12m", "absences 12m", "triggers",
                              "levels"), rows))


def snapshot_text(snapshot: dict[str, Any]) -> str:
    """The month's priority list: new entries and movement since last month."""
    lines = [f"Priority cases at {snapshot['as_of']} (against {snapshot['previous_as_of']})"]
    rows = [(e["rank"], e["employee_id"], e["manager_id"] or "-", e["sickness_days_lost_12m"], e["absences_12m"],
             "new" if e["new_this_month"] else f"{e['movement']:+d}")
            for e in snapshot["entries"]]
    lines += _table(("#", "employee", "manager", "sickness days lost 12m", "absences 12m", "movement"), rows)
    if snapshot["left_the_list"]:
        lines.append("left the list: " + ", ".join(snapshot["left_the_list"]))
    return "\n".join(lines)


def rtw_text(rows: list[dict[str, Any]]) -> str:
    """The return-to-work metric: each period's returns and the share discussed on time."""
    if not rows:
        return "No returns to work."
    table = [(r["period"], r["name"], r["by"], r["value"] or "-", r["returns"], r["discussed_on_time"],
              f"{r['rate']:.0%}") for r in rows]
    return "\n".join(_table(("period", "name", "by", "value", "returns", "discussed within 72h", "rate"), table))


def audit_sample_text(sample: dict[str, Any]) -> str:
    """The case-audit sample: how it was drawn, then each case's explanation."""
    lines = [f"Case audit sample on {sample['as_of']} (seed {sample['seed']}): "
             f"{len(sample['sample'])} of {sample['open_cases']} open cases"]
    for explanation in sample["sample"]:
        lines += ["", explain_text(explanation)]
    return "\n".join(lines)


def stats_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No absence recorded."

    def figure(value: float | None, form: str) -> str:
        return "-" if value is None else format(value, form)

    table = [(r["month"], r["department"] or "-", r["reason_group"],
              *((f"suppressed (fewer than {SMALL_COUNT} people)", "", "", "", "") if r["suppressed"] else
                (figure(r["fte_days_lost"], ".2f"), figure(r["fte_days_available"], ".2f"), figure(r["rate"], ".2%"),
                 r["episodes"], figure(r["returns_discussed_within_72h"], ".0%"))))
             for r in rows]
    return "\n".join(_table(("month", "department", "reason group", "FTE days lost", "FTE days available", "rate",
                             "episodes", "RTW in 72h"), table))
