"""`attendance`: the command line, and the composition root of the CLI.

Exit status 2 and one line on stderr for invalid input (naming the event's
index and field); nothing is written when a command fails.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from api.logging import configure_logging
from api.render import status_text, worklist_text
from domain.application import AttendanceLedger, apply_case
from domain.casefile import load_case
from domain.exceptions import LedgerError
from domain.rulebook import RulebookError, RulebookRegistry
from projections.status import evaluate, to_json
from projections.worklist import worklist

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Attendance Ledger: sickness absence, triggers and reviews under versioned policies.")


class Format(str, Enum):
    json = "json"
    text = "text"


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=option) from None


def _moment(value: Optional[str]) -> Optional[datetime]:
    """`--known-at`: an ISO timestamp (UTC when no offset), or a date meaning
    the end of that day."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(23, 59, 59), tzinfo=timezone.utc)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO timestamp", param_hint="--known-at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


AsOf = Annotated[str, typer.Option("--as-of", help="the day to evaluate (YYYY-MM-DD)")]
KnownAt = Annotated[Optional[str], typer.Option("--known-at", help="only what was recorded by then (ISO timestamp)")]
Policy = Annotated[Optional[str], typer.Option("--policy", help="evaluate under this rulebook instead")]
FormatOpt = Annotated[Format, typer.Option("--format", help="json or text")]


def _print_status(status: dict, output: Format, registry: RulebookRegistry) -> None:
    if registry.get(status["policy"]).provisional:
        typer.echo(f"warning: rulebook {status['policy']} is provisional: its thresholds are not "
                   "the issued policy's", err=True)
    typer.echo(to_json(status) if output is Format.json else status_text(status))


@app.command("evaluate")
def evaluate_case(case: Path, as_of: AsOf, known_at: KnownAt = None, policy: Policy = None,
                  output: FormatOpt = Format.json) -> None:
    """Evaluate a case file without writing anything."""
    registry = RulebookRegistry.configured()
    employee, _, _ = apply_case(load_case(case), registry)
    status = evaluate(employee.facts, registry, _day(as_of, "--as-of"), _moment(known_at), policy)
    _print_status(status, output, registry)


@app.command("import")
def import_cases(cases: list[Path]) -> None:
    """Write case files into the ledger; facts it already holds are skipped."""
    ledger = AttendanceLedger()
    parsed = [(path, load_case(path)) for path in cases]  # all valid before any is written
    for path, case in parsed:
        result = ledger.import_case(case)
        typer.echo(f"{path}: employee {result.employee_id}: {result.stored} new events stored, "
                   f"{result.already_held} already in the ledger")


@app.command("status")
def employee_status(employee_id: str, as_of: AsOf, known_at: KnownAt = None, policy: Policy = None,
                    output: FormatOpt = Format.json) -> None:
    """Evaluate an employee held in the ledger."""
    ledger = AttendanceLedger()
    status = evaluate(ledger.history(employee_id), ledger.registry, _day(as_of, "--as-of"),
                      _moment(known_at), policy)
    _print_status(status, output, ledger.registry)


@app.command("worklist")
def show_worklist(as_of: AsOf, known_at: KnownAt = None, output: FormatOpt = Format.text) -> None:
    """Every review due and action overdue across the ledger, oldest first."""
    ledger = AttendanceLedger()
    items = worklist(ledger.histories(), ledger.registry, _day(as_of, "--as-of"), _moment(known_at))
    typer.echo(json.dumps(items, indent=2) if output is Format.json else worklist_text(items))


def main() -> None:
    configure_logging()
    try:
        app()  # usage errors: typer answers them itself, with exit status 2
    except (LedgerError, RulebookError) as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except FileNotFoundError as error:
        typer.echo(f"error: {error.filename}: no such file", err=True)
        sys.exit(2)
