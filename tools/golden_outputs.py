"""Dump what the evaluators answer, to check a change to them leaves every
output byte-identical (run before and after, then `cmp` the two files).

For a synthetic population, every example and every scenario case file (the
richest in event types): the status document under every shipped rulebook
on several days, each also with a `known_at`, every pay day of the pay calendar and
the leave year, and the read model's rows on each day (what the consumer
writes), each history read back as the ledger stores it (`stored_fact` of
its payload).

Usage: python -m tools.golden_outputs OUTPUT [--employees 300]
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from api.render import status_document
from bench.population import population
from domain.casefile import load_case, load_yaml, parse_case
from domain.events import stored_fact
from domain.rulebook import RulebookRegistry
from projections.leave import LeaveLedger, year_start_for
from projections.pay import PayCalendar
from projections.read_model import read_model_rows
from projections.status import evaluate_view
from projections.view import EmployeeView, NotYetKnown
from service.ledger import apply_case

ROOT = Path(__file__).resolve().parent.parent
DAYS = (date(2024, 6, 30), date(2025, 3, 31), date(2025, 11, 28), date(2025, 12, 31), date(2026, 4, 10))
SYNTHETIC_DAYS = (date(2025, 3, 31), date(2025, 12, 31))  # fewer: the population is large
KNOWN_AT = datetime(2025, 6, 30, 12, tzinfo=timezone.utc)


def cases(employees: int):
    for n, case in enumerate(population(employees)):
        yield f"synthetic-{n}", parse_case(case)
    for path in sorted((ROOT / "examples").glob("*.*")):
        if path.suffix in (".json", ".yaml"):
            yield path.name, load_case(path)
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.yaml")):
        yield path.name, parse_case(load_yaml(path.read_text())["case"])


def outputs(name: str, history, registry: RulebookRegistry, days=DAYS):
    for as_of in days:
        rows = read_model_rows(history, registry, as_of)
        yield {"case": name, "as_of": str(as_of), "rows": [rows.status, rows.worklist, rows.leave, rows.sick_pay,
                                                          rows.stats, rows.version]}
        for known_at in (None, KNOWN_AT):
            try:
                view = EmployeeView.of(history, as_of, known_at)
            except NotYetKnown:
                continue
            for policy in registry.ids:
                rulebook = registry.get(policy)
                document = status_document(evaluate_view(view, rulebook))
                yield {"case": name, "as_of": str(as_of), "known_at": str(known_at), "policy": policy,
                       "status": document}
                if rulebook.sick_pay and known_at is None:
                    calendar = PayCalendar(view, rulebook.sick_pay)
                    start = as_of - timedelta(days=500)
                    yield {"case": name, "as_of": str(as_of), "policy": policy,
                           "pay": [calendar.day(start + timedelta(days=n)).as_dict() for n in range(501)]}
                if rulebook.annual_leave and known_at is None:
                    ledger = LeaveLedger(view, rulebook.annual_leave, rulebook.sick_pay)
                    year = ledger.year(year_start_for(view, as_of))
                    yield {"case": name, "as_of": str(as_of), "policy": policy, "leave": year.as_dict(),
                           "entries": [repr(e) for e in year.entries]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--employees", type=int, default=300)
    args = parser.parse_args()
    registry = RulebookRegistry.load()
    with args.output.open("w") as out:
        for name, case in cases(args.employees):
            employee, _, _ = apply_case(case, registry)
            history = [stored_fact(fact.payload()) for fact in employee.facts]
            days = SYNTHETIC_DAYS if name.startswith("synthetic") else DAYS
            for record in outputs(name, history, registry, days):
                out.write(json.dumps(record, default=str) + "\n")


if __name__ == "__main__":
    main()
