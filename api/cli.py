"""`attendance`: the command line, and the composition root of the CLI.

Exit status 2 and one line on stderr for invalid input (naming the event's
index and field); nothing is written when a command fails.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Optional, TypeVar

import typer
from kafka.errors import KafkaError
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from typer.core import TyperCommand

from api import event_flags
from api.auth import Role, issue
from api.csv_import import load_absences
from api.logging import configure_logging
from api.render import (
    audit_sample_text,
    explain_text,
    leave_text,
    pay_csv,
    priority_text,
    replay_csv,
    replay_text,
    rtw_text,
    snapshot_text,
    stats_text,
    status_document,
    status_text,
    to_json,
    transition_text,
    worklist_text,
)
from api.vocabulary import MEANING
from consumers.kafka_consumers import (
    CSV_COLUMNS,
    PayrollProjector,
    ReadModelConsumer,
    payroll_tail,
)
from consumers.relay import Relay, position_store
from consumers.replay_group import ReplayMember, RunMismatch, checked_run_name
from domain.casefile import load_case
from domain.events import FACT_TYPES, EmployeeRegistered, Fact, UnknownEventType
from domain.exceptions import InvalidEvent, LedgerError
from domain.history import parse_known_at
from domain.reasons import GROUP_OF, REASONS
from domain.rulebook import RulebookError
from projections.read_model import PROJECTIONS
from projections.replay import Replay
from projections.status import Status, provisional_warning
from service import evaluation, pay, population, read_views, records, reports
from service.bootstrap import Services, bootstrap
from service.projector import TickOutOfOrder

EXAMPLES = """\b
Examples:
  attendance import examples/*.json examples/*.yaml
  attendance worklist --as-of 2025-11-28
  attendance status ESR-103045 --as-of 2025-11-28 --format text
  attendance explain ESR-103045 --as-of 2025-11-28 --known-at 2025-11-01T09:00:00Z
  attendance replay --policy sath-w22-v5.13 --compare sath-w22-v6
  attendance reasons
  attendance serve --port 8000

Each command's --help lists its options. Dates are YYYY-MM-DD."""

# rich_markup_mode=None: click's own help layout, which shows a flag as a flag
# (typer's rich layout prints `--once <bool>` as if it took a value).
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, epilog=EXAMPLES,
                  help="Attendance Ledger: sickness absence, triggers and reviews under versioned policies.")


class Format(str, Enum):
    json = "json"
    text = "text"


@cache
def services() -> Services:
    """The wired services, from the environment read once per process."""
    return bootstrap()


def _day(value: str, option: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=option) from None
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise typer.BadParameter(f"{value} is outside 1900-2199", param_hint=option)
    return day


def _moment(value: Optional[str]) -> Optional[datetime]:
    if value is None:
        return None
    try:
        return parse_known_at(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO timestamp", param_hint="--known-at") from None


AsOf = Annotated[str, typer.Option("--as-of", metavar="DATE", help="the day to evaluate (YYYY-MM-DD)")]
KnownAt = Annotated[Optional[str], typer.Option("--known-at", metavar="TIMESTAMP",
                                                help="only what was recorded by then (ISO timestamp)")]
Policy = Annotated[Optional[str], typer.Option("--policy", metavar="RULEBOOK", help="evaluate under this rulebook instead")]
FormatOpt = Annotated[Format, typer.Option("--format", help="json or text")]


def _print_status(status: Status, output: Format) -> None:
    for warning in status.warnings:
        typer.echo(f"warning: {warning}", err=True)
    document = status_document(status)
    typer.echo(to_json(document) if output is Format.json else status_text(document))


@app.command("evaluate")
def evaluate_case(case: Path, as_of: AsOf, known_at: KnownAt = None, policy: Policy = None,
                  output: FormatOpt = Format.json) -> None:
    """Evaluate a case file without writing anything."""
    status = evaluation.evaluate_case_file(services(), case, _day(as_of, "--as-of"), _moment(known_at), policy)
    _print_status(status, output)


def _cases_in(path: Path, mapping: Optional[Path]) -> list:
    """A case file's one case, or a CSV export's case per employee."""
    if path.suffix.lower() != ".csv":
        return [load_case(path)]
    if mapping is None:
        raise typer.BadParameter(f"{path.name} is a CSV export: name its column mapping", param_hint="--mapping")
    return load_absences(path, mapping)


@app.command("import", epilog="""\b
Examples:
  attendance import examples/*.json examples/*.yaml
  attendance import examples/csv/esr-absence-report.csv \\
      --mapping examples/csv/esr-absence-report.mapping.yaml""")
def import_cases(cases: Annotated[list[Path], typer.Argument(metavar="FILE", help="case files (.json, .yaml) or CSV exports")],
                 mapping: Annotated[Optional[Path], typer.Option(
                     "--mapping", metavar="MAP.yaml",
                     help="read .csv files (an HR export, one absence a row) with this column mapping")] = None) -> None:
    """Write case files (JSON, YAML, or CSV with --mapping) into the ledger;
    facts it already holds are skipped. Every file is checked before any is written."""
    parsed = [(path, case) for path in cases for case in _cases_in(path, mapping)]
    # one transaction: a bad file anywhere stores nothing from any of them
    for (path, _), result in zip(parsed, records.import_cases(services(), [case for _, case in parsed]), strict=True):
        typer.echo(f"{path}: employee {result.employee_id}: {result.stored} new events stored, "
                   f"{result.already_held} already in the ledger")


RECORD_EXAMPLES = """\b
Examples:
  attendance record ESR-100231 SicknessReported --absence-id A1 --first-day 2025-10-20 --reason S13
  attendance record ESR-100231 ReturnedToWork --absence-id A1 --first-day-back 2025-10-22
  attendance record ESR-100231 ContractChanged --effective 2025-11-01 --working-days mon,tue,wed
  attendance record SicknessReported --help      (that type's fields)

\b
Event types:
""" + "\n".join(f"  {name:<31} {MEANING[name]}" for name in FACT_TYPES if name != "EmployeeRegistered")


class _RecordCommand(TyperCommand):
    """`attendance record [EMPLOYEE_ID] TYPE --help` lists that type's fields."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        kind = next((a for a in args if a in FACT_TYPES), None)
        if kind and any(a in ctx.help_option_names for a in args):
            typer.echo(f"Usage: attendance record EMPLOYEE_ID {kind} [--FIELD VALUE]...\n")
            typer.echo(event_flags.help_text(FACT_TYPES[kind]).replace("\b\n", ""))
            ctx.exit()
        return super().parse_args(ctx, args)


FIELDS_ARE_FLAGS = {"allow_extra_args": True, "ignore_unknown_options": True}
#: who recorded it, as the ledger stamps it: the operator at this machine's command line
CLI_ACTOR = "cli"
F = TypeVar("F", bound=Fact)


def _from_flags(model: type[F], args: list[str]) -> F:
    data = event_flags.event_data(model, args)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise event_flags.invalid(error) from None


@app.command("register", context_settings=FIELDS_ARE_FLAGS, epilog="""\b
Example:
  attendance register --employee-id ESR-100231 --service-start 2016-09-05 \\
      --contracted-hours 37.5 --working-days mon,tue,wed,thu --policy sath-w22-v6 \\
      --manager-id MGR-WARD7 --department "Ward 7"

""" + event_flags.help_text(EmployeeRegistered))
def register_employee(ctx: typer.Context) -> None:
    """Add an employee to the ledger from flags (the fields of EmployeeRegistered).
    Validated as the API validates it; nothing is stored when a field is wrong."""
    employee_id = records.register(services(), _from_flags(EmployeeRegistered, ctx.args), actor=CLI_ACTOR)
    typer.echo(f"registered {employee_id}")


@app.command("record", cls=_RecordCommand, context_settings=FIELDS_ARE_FLAGS, epilog=RECORD_EXAMPLES)
def record_event(ctx: typer.Context,
                 employee_id: Annotated[str, typer.Argument(metavar="EMPLOYEE_ID")],
                 kind: Annotated[str, typer.Argument(metavar="TYPE", help="an event type (listed below)")]) -> None:
    """Record one event, its fields given as flags (--field value). Validated
    as the API validates it; nothing is stored when a field is wrong."""
    if kind == "EmployeeRegistered":
        raise InvalidEvent("TYPE", "an employee is added with `attendance register`")
    if kind not in FACT_TYPES:
        raise InvalidEvent("TYPE", f"{UnknownEventType(kind)} (`attendance record --help` lists the types)")
    event_id = records.record(services(), employee_id, _from_flags(FACT_TYPES[kind], ctx.args), actor=CLI_ACTOR).event_id
    typer.echo(f"recorded {kind} for {employee_id} as event {event_id}")


@app.command("status")
def employee_status(employee_id: str, as_of: AsOf, known_at: KnownAt = None, policy: Policy = None,
                    output: FormatOpt = Format.json) -> None:
    """Evaluate an employee held in the ledger."""
    status = evaluation.status(services(), employee_id, _day(as_of, "--as-of"), _moment(known_at), policy)
    _print_status(status, output)


@app.command("worklist")
def show_worklist(as_of: AsOf, known_at: KnownAt = None, output: FormatOpt = Format.text,
                  manager: Annotated[Optional[str], typer.Option("--manager", help="one manager's items")] = None,
                  horizon: Annotated[int, typer.Option("--horizon", min=0, max=366,
                                                       help="days ahead to list upcoming actions")] = 14) -> None:
    """A manager's day: overdue and due reviews and actions, and those due within the horizon."""
    items = population.worklist(services(), _day(as_of, "--as-of"), _moment(known_at), manager, horizon)
    _warn_if_provisional(sorted({i["policy"] for i in items if i["policy"]}))
    typer.echo(json.dumps(items, indent=2) if output is Format.json else worklist_text(items))


class ReplayFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


def _progress(label: str, items: Iterable):
    """Items with a progress bar on stderr when it is a terminal."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as bar:
        yield from bar.track(items)


@app.command("replay")
def replay_ledger(policy: Annotated[str, typer.Option("--policy", help="the rulebook to replay under")],
                  compare: Annotated[Optional[str], typer.Option("--compare", help="a second rulebook")] = None,
                  as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="default: today")] = None,
                  known_at: KnownAt = None, output: Annotated[ReplayFormat, typer.Option("--format")] =
                  ReplayFormat.text,
                  workers: Annotated[int, typer.Option("--workers", min=1, max=256,
                                                          help="processes sharing the employees")]
                  = 1) -> None:
    """Replay the whole ledger under a policy, optionally beside another. Writes nothing."""
    policies = _policies(policy, compare)
    if workers > (cores := os.cpu_count() or 1):
        typer.echo(f"warning: --workers {workers} on {cores} cores: a worker beyond one a core is only slower, "
                   "and each holds its share of the ledger in memory", err=True)
    day = _day(as_of, "--as-of") if as_of else date.today()
    _print_replay(population.replay_ledger(services(), policies, day, _moment(known_at),
                                           lambda items: _progress("replaying", items), workers=workers), output)


def _policies(policy: str, compare: Optional[str]) -> list[str]:
    if compare == policy:
        raise typer.BadParameter("is the policy replayed already: compare it with another", param_hint="--compare")
    return [policy] + ([compare] if compare else [])


def _warn_if_provisional(policies: Iterable[str]) -> None:
    for rulebook in (services().registry.get(p) for p in policies):
        if rulebook.provisional:
            typer.echo(f"warning: {provisional_warning(rulebook)}", err=True)


def _print_replay(result: Replay, output: ReplayFormat) -> None:
    _warn_if_provisional(result.policies)
    if output is ReplayFormat.json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    elif output is ReplayFormat.csv:
        typer.echo(replay_csv(result), nl=False)
    else:
        typer.echo(replay_text(result))


@app.command("replay-consumer", epilog="""\b
Start one on each of up to as many machines as attendance.events.v1 has
partitions; the first fixes what the run replays and where each partition
ends, later ones join with --run alone:
  attendance replay-consumer --run sept-review --policy sath-w22-v5.13 --compare sath-w22-v6 --as-of 2025-09-30
  attendance replay-consumer --run sept-review
  attendance replay-result sept-review --format json""")
def replay_consumer(run: Annotated[str, typer.Option("--run", help="the run's name, the same for every member")],
                    policy: Annotated[Optional[str], typer.Option("--policy", help="the rulebook to replay under")]
                    = None,
                    compare: Annotated[Optional[str], typer.Option("--compare", help="a second rulebook")] = None,
                    as_of: Annotated[Optional[str], typer.Option(
                        "--as-of", metavar="DATE", help="default: the run's day; today for a new run")] = None,
                    known_at: KnownAt = None) -> None:
    """Replay the population from attendance.events.v1 as one member of a consumer group, until every
    partition is replayed (by any member). Writes the shares beside the read model; nothing else."""
    if compare and not policy:
        raise typer.BadParameter("needs --policy (a member joining a run names neither)", param_hint="--compare")
    wired = services()
    try:
        member = ReplayMember(wired.consumer_store, wired.registry, wired.broker, run,
                              _policies(policy, compare) if policy else None,
                              _day(as_of, "--as-of") if as_of else None, _moment(known_at))
    except RunMismatch as error:
        raise typer.BadParameter(str(error), param_hint=error.option) from None
    _warn_if_provisional(member.policies)
    kept = member.run()
    typer.echo(f"replay run {run} ({' compared with '.join(member.policies)} on {member.as_of}): every partition "
               f"replayed ({kept} of {len(member.bounds)} by this member); attendance replay-result {run} prints it")


@app.command("replay-result")
def replay_result(run: Annotated[str, typer.Argument(metavar="RUN", help="the run's name")],
                  output: Annotated[ReplayFormat, typer.Option("--format")] = ReplayFormat.text) -> None:
    """What a replay consumer group found, as attendance replay prints it; exit status 3 while partitions are left."""
    try:
        result, kept, total = population.replay_run_result(services(), checked_run_name(run))
    except (LookupError, RunMismatch) as error:
        raise typer.BadParameter(str(error), param_hint="RUN") from None
    if result is None:
        typer.echo(f"replay run {run}: {kept} of {total} partitions replayed so far", err=True)
        raise typer.Exit(3)
    _print_replay(result, output)


@app.command("transition-review")
def transition_review(
    old: Annotated[str, typer.Option("--from", help="the policy cases are managed under now")],
    new: Annotated[str, typer.Option("--to", help="the policy they may move to")],
    as_of: AsOf,
    apply: Annotated[bool, typer.Option("--apply", help="record PolicyAssigned for the cases listed")] = False,
    employees: Annotated[Optional[list[str]], typer.Option("--employee", metavar="ID", help="apply to these only")] = None,
    output: FormatOpt = Format.text,
) -> None:
    """List cases under one policy at an informal or formal stage (or new since
    the other took effect), with both statuses; --apply moves them."""
    day = _day(as_of, "--as-of")
    candidates = population.transition_review(services(), old, new, day)
    typer.echo(json.dumps([c.as_dict() for c in candidates], indent=2) if output is Format.json
               else transition_text(candidates, old, new))
    if not apply:
        return
    chosen = [c for c in candidates if not employees or c.employee_id in employees]
    unknown = set(employees or []) - {c.employee_id for c in candidates}
    if unknown:
        raise typer.BadParameter(f"not among the cases listed: {', '.join(sorted(unknown))}",
                                 param_hint="--employee")
    population.apply_transition(services(), chosen, old, new, day)
    typer.echo(f"recorded PolicyAssigned ({new}) for {len(chosen)} employees", err=True)


@app.command("explain")
def explain_employee(employee_id: str, as_of: AsOf, known_at: KnownAt = None, policy: Policy = None,
                     output: FormatOpt = Format.text) -> None:
    """Why the employee's status is what it is: rules, numbers, events, decisions."""
    explanation = evaluation.explain(services(), employee_id, _day(as_of, "--as-of"), _moment(known_at), policy)
    typer.echo(to_json(explanation) if output is Format.json else explain_text(explanation))


class PayFormat(str, Enum):
    json = "json"
    csv = "csv"


@app.command("pay")
def pay_table(employee_id: str,
              start: Annotated[str, typer.Option("--from", help="first day (YYYY-MM-DD)")],
              end: Annotated[str, typer.Option("--to", help="last day (YYYY-MM-DD)")],
              known_at: KnownAt = None, policy: Policy = None,
              output: Annotated[PayFormat, typer.Option("--format")] = PayFormat.csv) -> None:
    """Day by day: status, pay band, SSP and the rule that set each, for payroll."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise typer.BadParameter("must not be before --from", param_hint="--to")
    days = pay.pay_days(services(), employee_id, first, last, _moment(known_at), policy)
    typer.echo(json.dumps(days, indent=2) if output is PayFormat.json else pay_csv(days), nl=output is PayFormat.json)


@app.command("leave")
def leave_ledger(employee_id: str, year: Annotated[int, typer.Option("--year", min=1900, max=2199,
                                                                      help="the leave year starting in this year")],
                 as_of: Annotated[Optional[str], typer.Option("--as-of", help="default: the year's last day")] = None,
                 known_at: KnownAt = None, policy: Policy = None, output: FormatOpt = Format.text) -> None:
    """The leave year's ledger: entitlement and every adjustment, with citations."""
    document = pay.leave_year(services(), employee_id, year, _day(as_of, "--as-of") if as_of else None,
                              _moment(known_at), policy)
    typer.echo(to_json(document) if output is Format.json else leave_text(document))


def _read_day(as_of: Optional[str]) -> Optional[date]:
    return _day(as_of, "--as-of") if as_of else None


ReadAsOf = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="the day the read model is for (default: today)")]


@app.command("project")
def project(once: Annotated[bool, typer.Option("--once", help="catch up, then stop")] = False,
            as_of: ReadAsOf = None,
            interval: Annotated[float, typer.Option("--interval", help="seconds between polls")] = 1.0) -> None:
    """Keep the read model up to date with the ledger (until stopped, or --once)."""
    if once:
        day, position = read_views.project(services(), _read_day(as_of))
        typer.echo(f"read model up to date as of {day} at ledger position {position}")
        return
    read_views.projector(services(), _read_day(as_of)).run_forever(interval)


@app.command("rebuild")
def rebuild(projection: Annotated[Optional[str], typer.Argument(help=f"one of {', '.join(PROJECTIONS)}")] = None,
            as_of: ReadAsOf = None) -> None:
    """Drop and rebuild the read model (or one projection) from the ledger."""
    if projection is not None and projection not in PROJECTIONS:
        raise typer.BadParameter(f"not a projection: {projection} (one of {', '.join(PROJECTIONS)})",
                                 param_hint="PROJECTION")
    day, employees = read_views.rebuild(services(), (projection,) if projection else PROJECTIONS, _read_day(as_of),
                                        lambda items: _progress("rebuilding", items))
    typer.echo(f"rebuilt {projection or 'the read model'} for {employees} employees as of {day}")


@app.command("relay")
def relay(once: Annotated[bool, typer.Option("--once", help="publish what is pending, then stop")] = False,
          interval: Annotated[float, typer.Option(
              "--interval", help="seconds between polls of the ledger once caught up (an event waits half "
                                 "of it on average)")] = 0.05) -> None:
    """Publish every ledger event to attendance.events.v1 (ATTENDANCE_KAFKA_BOOTSTRAP)."""
    wired = services()
    publisher = Relay(wired.ledger, position_store(wired.ledger.database_url), wired.broker)
    if once:
        typer.echo(f"published {publisher.publish_pending()} events")
        return
    publisher.run_forever(interval)


def _consume(consumer_class, once: bool, as_of: Optional[str]) -> int:
    day = _day(as_of, "--as-of") if as_of else date.today()
    wired = services()
    return consumer_class(wired.consumer_store, wired.registry, day, wired.broker).run(once)


@app.command("read-model-consumer")
def read_model_consumer(once: Annotated[bool, typer.Option("--once", help="catch up, then stop")] = False,
                        as_of: ReadAsOf = None) -> None:
    """Build the read model from attendance.events.v1 (one of a consumer group)."""
    typer.echo(f"read model consumer: {_consume(ReadModelConsumer, once, as_of)} messages")


@app.command("payroll-projector")
def payroll_projector(once: Annotated[bool, typer.Option("--once", help="catch up, then stop")] = False,
                      as_of: ReadAsOf = None) -> None:
    """Derive pay instructions from attendance.events.v1 and publish them to attendance.payroll.v1."""
    typer.echo(f"payroll projector: {_consume(PayrollProjector, once, as_of)} messages")


@app.command("payroll-tail")
def payroll_tail_command(output: Annotated[Optional[Path], typer.Option("--output", help="append CSV here")] = None,
                         once: Annotated[bool, typer.Option("--once", help="stop when nothing arrives")] = False,
                         group: Annotated[str, typer.Option("--group")] = "payroll-tail") -> None:
    """A reference payroll client: each instruction once, as CSV."""
    if output is None:
        payroll_tail(services().broker, sys.stdout, once=once, group=group)
        return
    seen = {row["id"] for row in csv.DictReader(output.open())} if output.exists() and output.stat().st_size else set()
    with output.open("a", newline="") as file:
        if not seen:
            file.write(",".join(CSV_COLUMNS) + "\n")
        payroll_tail(services().broker, file, seen, once=once, group=group)


@app.command("erase")
def erase(employee_id: str,
          retention_years: Annotated[Optional[int], typer.Option(
              "--retention-years", min=0, help="default: ATTENDANCE_RETENTION_YEARS, else 6")] = None,
          today: Annotated[Optional[str], typer.Option("--today")] = None) -> None:
    """Erase an employee's record by crypto-shredding, after the retention period."""
    records.erase(services(), employee_id, _day(today, "--today") if today else None, retention_years)
    typer.echo(f"erased {employee_id}: the record can no longer be read")


@app.command("serve")
def serve(host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port")] = 8000,
          workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                               help="server processes sharing the port (one per core)")] = 1) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs, probes at
    /healthz and /readyz). --port 0 picks a free port; the line on stderr names it.
    With --workers N, N processes answer on the one port (SIGTERM or Ctrl-C
    stops them all); replay jobs are kept in the database, so any answers a poll."""
    from api.http import create_app
    from api.http.serving import WorkersNotReady, listening_socket
    from api.http.serving import serve as serve_app

    application = create_app(services())
    # Bind first, so the one line saying where it listens is true (and names
    # the port the system chose for --port 0).
    try:
        listener = listening_socket(host, port)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(2) from None
    address = f"[{host}]" if ":" in host else host
    where = f"http://{address}:{listener.getsockname()[1]}"
    processes = f", {workers} processes" if workers > 1 else ""
    try:
        serve_app(application, listener, workers, lambda: typer.echo(
            f"attendance: listening on {where} (API docs /docs, health /healthz{processes})", err=True))
    except WorkersNotReady as error:
        typer.echo(f"error: {error}; stopped", err=True)
        raise typer.Exit(1) from None


@app.command("token")
def token(role: Annotated[Role, typer.Option("--role")], sub: Annotated[str, typer.Option("--sub")],
          employee: Annotated[Optional[str], typer.Option("--employee", help="the employee role's own id")] = None,
          hours: Annotated[int, typer.Option("--hours", min=1)] = 12) -> None:
    """Issue a development bearer token (signed with ATTENDANCE_JWT_KEY or the local key file)."""
    if not sub.strip():
        raise typer.BadParameter("must name who the token is for", param_hint="--sub")
    if role is Role.employee and not employee:
        raise typer.BadParameter("an employee token needs --employee", param_hint="--employee")
    typer.echo(issue(role, sub, employee, hours, settings=services().settings))


query = typer.Typer(help="Read the read model (run `attendance project` first).", no_args_is_help=True,
                    rich_markup_mode=None)
app.add_typer(query, name="query")


def _store():
    return services().read_model


@query.command("worklist")
def query_worklist(manager: Annotated[Optional[str], typer.Option("--manager")] = None,
                   output: FormatOpt = Format.text) -> None:
    """Reviews due and actions overdue, oldest first (for one manager)."""
    items = _store().worklist(manager)
    typer.echo(json.dumps(items, indent=2) if output is Format.json else worklist_text(items))


@query.command("priority-cases")
def query_priority_cases(limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
                         month: Annotated[Optional[str], typer.Option("--month", help="YYYY-MM: the month's "
                                          "snapshot from the ledger, with new entries and movement")] = None,
                         output: FormatOpt = Format.text) -> None:
    """The open cases by sickness days lost (long-term included), absences and triggers hit."""
    if month is None:
        cases = _store().priority_cases(limit)
        typer.echo(json.dumps(cases, indent=2) if output is Format.json else priority_text(cases))
        return
    try:
        snapshot = reports.priority_snapshot(services(), month, limit)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None
    typer.echo(json.dumps(snapshot, indent=2) if output is Format.json else snapshot_text(snapshot))


@query.command("rtw")
def query_return_to_work(as_of: AsOf, known_at: KnownAt = None, output: FormatOpt = Format.json) -> None:
    """Returns to work discussed within 72 hours: by month, quarter and overall, by department and policy."""
    rows = reports.return_to_work(services(), _day(as_of, "--as-of"), _moment(known_at))
    typer.echo(json.dumps(rows, indent=2) if output is Format.json else rtw_text(rows))


@query.command("audit-sample")
def query_audit_sample(as_of: AsOf, size: Annotated[int, typer.Option("--size", min=1)] = 10,
                       seed: Annotated[int, typer.Option("--seed", help="the same seed gives the same sample")] = 0,
                       known_at: KnownAt = None, output: FormatOpt = Format.json) -> None:
    """A reproducible random sample of open cases, each with its explanation, for the monthly case audit."""
    sample = reports.audit_sample(services(), _day(as_of, "--as-of"), size, seed, _moment(known_at))
    typer.echo(json.dumps(sample, indent=2) if output is Format.json else audit_sample_text(sample))


@query.command("stats")
def query_stats(month: Annotated[Optional[str], typer.Option("--month", help="YYYY-MM")] = None,
                manager: Annotated[Optional[str], typer.Option("--manager", help="only this manager's departments")] = None,
                output: FormatOpt = Format.text) -> None:
    """Absence by month, department and reason group: FTE days, rate, episodes, returns discussed in 72 h
    (a cell about fewer than 5 people is suppressed)."""
    rows = read_views.stats(services(), month=month, manager_id=manager)
    typer.echo(json.dumps(rows, indent=2) if output is Format.json else stats_text(rows))


@query.command("status")
def query_status(employee_id: str) -> None:
    """An employee's row: levels, reviews and actions due."""
    status = _store().status(employee_id)
    if status is None:
        raise LedgerError(f"employee {employee_id!r} is not in the read model (run `attendance project`)")
    typer.echo(to_json(status))



def _version(show: bool) -> None:
    if show:
        typer.echo(f"attendance {package_version('attendance-ledger')}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                   help="Print the version and exit.")] = False) -> None:
    """Attendance Ledger: sickness absence, triggers and reviews under versioned policies."""


@app.command("reasons", epilog="""\b
Examples:
  attendance reasons
  attendance reasons --format json""")
def reasons(output: FormatOpt = Format.text) -> None:
    """The ESR sickness reason codes (S10-S99) and the group each is reported by.

    A case file's `reason` takes the code; managers see only the group."""
    rows = [{"code": code, "description": text, "group": GROUP_OF[code]} for code, text in REASONS.items()]
    if output is Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['code']}  {row['group']:<17} {row['description']}")


def main() -> None:
    try:
        configure_logging(services().settings.log_level)
        app()  # usage errors: typer answers them itself, with exit status 2
    except (LedgerError, RulebookError, read_views.ReadModelNotOnDay, TickOutOfOrder) as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except FileNotFoundError as error:
        typer.echo(f"error: {error.filename}: no such file", err=True)
        sys.exit(2)
    except KafkaError as error:
        typer.echo(f"error: the Kafka broker at {services().settings.kafka_bootstrap} "
                   f"(ATTENDANCE_KAFKA_BOOTSTRAP): {type(error).__name__} {error}".rstrip(), err=True)
        sys.exit(1)
