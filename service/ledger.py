"""The attendance ledger: the application service over the event store.

Commands are in the business's words (`register_employee`, `record_event`,
`import_case`); each validates completely before anything is saved, and
saves an employee's new events in one atomic write. The store is the
`eventsourcing` library's: SQLite by default, PostgreSQL when the database
URL says so. It is constructed by `service.bootstrap` from the settings.
"""

from __future__ import annotations

import gc
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.calendar import add_months
from domain.casefile import F, CaseFile
from domain.employee import Employee, employee_uuid, return_before_first_day
from domain.erasure import EmployeeErased, EmployeeKeys, ShreddingMapper
from domain.events import (
    EmployeeRegistered,
    EmploymentEnded,
    Fact,
    MeetingHeld,
    PolicyAssigned,
    ReturnedToWork,
    SicknessReported,
    stored_fact,
)
from domain.exceptions import (
    EmployeeAlreadyRegistered,
    EmployeeNotFound,
    InvalidEvent,
    LedgerError,
    UnknownAbsence,
)
from domain.history import known_order
from domain.rulebook import STAGE_OF_REVIEW, RulebookRegistry
from projections.status import evaluate_view
from projections.view import EmployeeView, NotYetKnown
from service.idempotency import Claim, PostgresIdempotentRecorder, SQLiteIdempotentRecorder
from service.settings import MAKE_A_KEY, SettingsError, require_cipher_key

log = structlog.get_logger("attendance.ledger")

DEFAULT_DATABASE = "attendance.db"
#: The library's aggregate cache: a command gets the employee from memory,
#: brought up to date with any events stored since (by any process), instead
#: of re-reading and re-folding the whole history. Not with crypto-shredding,
#: where an erasure in another process must make the record unreadable here.
#: (The library's snapshots would need a transcoding for every fact type.)
AGGREGATE_CACHE = {"AGGREGATE_CACHE_MAXSIZE": "2000"}


def store_environment(database_url: str | None) -> dict[str, str]:
    """The library's persistence settings for a database URL.

    None or a path or `sqlite:///path` selects SQLite (the embedded default,
    `./attendance.db`); `postgresql://user:password@host:port/dbname` selects
    PostgreSQL through psycopg.
    """
    url = database_url or DEFAULT_DATABASE
    parsed = urlparse(url)
    if parsed.scheme in ("postgresql", "postgres"):
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "attendance",
            "POSTGRES_HOST": parsed.hostname or "localhost",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
        }
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as elsewhere
        url = unquote(parsed.netloc + parsed.path.removeprefix("/"))
    elif parsed.scheme not in ("", "file"):
        raise ValueError(f"ATTENDANCE_DATABASE_URL: unsupported scheme {parsed.scheme!r}")
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(Path(url))}


class KeyCheckedMapper(Mapper):
    """The ledger's mapper, saying so when an event cannot be opened: the
    CIPHER_KEY is wrong, missing, or set for a store written without one."""

    def __init__(self, inner: Mapper) -> None:
        super().__init__(inner.transcoder, inner.compressor, inner.cipher)
        self.inner = inner

    def to_stored_event(self, domain_event):  # type: ignore[no-untyped-def]
        return self.inner.to_stored_event(domain_event)

    def to_domain_event(self, stored_event):  # type: ignore[no-untyped-def]
        try:
            return self.inner.to_domain_event(stored_event)
        except EmployeeErased:
            raise
        except (ValueError, zlib.error) as error:  # a failed AES tag check, or sealed bytes read as JSON
            raise SettingsError("CIPHER_KEY does not open the ledger's events: it is wrong, or missing for an "
                                "encrypted store, or set for a store written without one "
                                f"({type(error).__name__})") from None


#: the library's recorders, with idempotency claims in the event's transaction
IDEMPOTENT_RECORDER: dict[str, type] = {"eventsourcing.sqlite": SQLiteIdempotentRecorder,
                       "eventsourcing.postgres": PostgresIdempotentRecorder}


def partition_of(originator_id: UUID, count: int) -> int:
    """The share of the employees an aggregate id belongs to, by the id's
    last two hex digits, which the recorders can match in SQL: uuid5 bits
    are uniform, so `count` shares are near equal (up to 256 of them), and
    an employee is always in the same one."""
    return int(originator_id.hex[-2:], 16) % count


def share_suffixes(index: int, count: int) -> list[str]:
    """The last two hex digits of the ids `partition_of` puts in share
    `index` of `count`: what the recorders match in SQL."""
    return [f"{n:02x}" for n in range(256) if partition_of(UUID(int=n), count) == index]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """While a whole ledger's payloads are read: millions of small dicts and
    strings, none in a cycle, which the cyclic collector would walk on each
    full collection to free nothing (see `Histories`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Histories:
    """Employees' histories, validated one employee at a time as they are
    iterated, so a whole ledger's facts are never all in memory at once.

    The payloads it holds are frozen out of the cyclic collector's walks
    (`gc.freeze`) until they have been iterated, or it is dropped unread:
    a 4,000-employee replay ran 10-20% faster so, as fast as with the
    collector off. Reference counting frees them as ever."""

    def __init__(self, payloads: list[list[dict[str, Any]]]) -> None:
        self._payloads = payloads
        gc.freeze()
        self._frozen = True

    def __len__(self) -> int:
        return len(self._payloads)

    def __iter__(self) -> Iterator[list[Fact]]:
        try:
            for payloads in self._payloads:
                yield [stored_fact(p) for p in payloads]
        finally:  # iterated, or left early
            self._thaw()

    def __del__(self) -> None:  # never iterated: a job that failed before it began
        self._thaw()

    def _thaw(self) -> None:
        if self._frozen:
            self._frozen = False
            gc.unfreeze()


@dataclass(frozen=True)
class ImportResult:
    employee_id: str
    stored: int
    already_held: int


class AttendanceLedger(Application):
    """Every employee's absence history, one Employee aggregate each."""

    name = "attendance"

    def __init__(self, database_url: str | None = None, registry: RulebookRegistry | None = None,
                 crypto_shredding: bool = False, library: dict[str, str] | None = None) -> None:
        store = store_environment(database_url)
        recorder = IDEMPOTENT_RECORDER[store["PERSISTENCE_MODULE"]]
        # the library's aggregate cache (fast-forwarded on each read), but not
        # with crypto-shredding: an erasure elsewhere must leave no copy here
        cache = {} if crypto_shredding else AGGREGATE_CACHE
        try:
            super().__init__(env={**cache, **(library or {}), **store,
                                  "APPLICATION_RECORDER_TOPIC": get_topic(recorder)})
        except (ValueError, OSError) as error:  # the library's AES cipher refused the key (or its absence)
            raise SettingsError(f"CIPHER_KEY is not a usable AES key ({error}): it must be 16, 24 or 32 "
                                f"bytes in base64; make one with {MAKE_A_KEY}") from None
        self.database_url = database_url
        self.keys: EmployeeKeys | None = None
        if crypto_shredding:
            require_cipher_key(crypto_shredding, self.env.get("CIPHER_KEY"))
            # Every employee's events sealed with their own key (domain.erasure).
            placeholder = "%s" if self.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres" else "?"
            self.keys = EmployeeKeys(self.recorder.datastore, placeholder)  # type: ignore[attr-defined]
            self.mapper = ShreddingMapper(self.mapper, self.keys)
        self.mapper = KeyCheckedMapper(self.mapper)
        self.events = self.construct_event_store()
        self._repository = self.construct_repository()
        self._check_key_opens_the_store()
        self.registry = registry or RulebookRegistry.load()
        self._references: dict[UUID, str] = {}

    # --- commands --------------------------------------------------------

    def register_employee(self, registration: EmployeeRegistered) -> UUID:
        registration = self._stamped(registration)
        self._check_policy(registration.policy, "policy")
        if self._existing(registration.employee_id) is not None:
            raise EmployeeAlreadyRegistered(registration.employee_id)
        employee = Employee.register(registration)
        self.save(employee)
        log.info("employee_registered", employee=registration.employee_id,
                 correlation_id=registration.correlation_id)
        return employee.id

    def record_event(self, employee_id: str, fact: Fact, claim: Claim | None = None) -> str:
        """Append one fact recorded now (unless it carries its own
        `recorded_at`); returns the event id that corrections refer to.
        A `claim` (an idempotency key) is stored in the event's transaction."""
        fact = self._stamped(fact)
        if isinstance(fact, PolicyAssigned):
            self._check_policy(fact.policy, "policy")
        employee = self.employee(employee_id)
        employee.record(stamp_decision(employee, fact, self.registry))
        event_id = employee.facts[-1].event_id
        assert event_id is not None
        self.save(employee, idempotency=replace(claim, employee_id=employee_id, event_id=event_id) if claim else None)
        log.info("event_recorded", employee=employee_id, event_type=fact.type, event_id=event_id,
                 correlation_id=fact.correlation_id)
        return event_id  # type: ignore[return-value]

    def record_once(self, employee_id: str, fact: Fact, claim: Claim) -> tuple[str, bool]:
        """Record a fact under a caller's idempotency key: the first request
        stores it; a repeat of the same request (even a concurrent one) gets
        the first one's event id and `True` (replayed); a different request
        with the same key is refused."""
        held = self.recorder.claimed(claim.caller, claim.key)  # type: ignore[attr-defined]
        if held is None:
            try:
                return self.record_event(employee_id, fact, claim), False
            except IntegrityError:  # a concurrent request stored first: its claim says what
                held = self.recorder.claimed(claim.caller, claim.key)  # type: ignore[attr-defined]
                if held is None:
                    raise
        if (held.request, held.employee_id) != (claim.request, employee_id):
            raise InvalidEvent("Idempotency-Key", "was already used for a different request: "
                                                  "a new event needs a new key")
        return held.event_id, True

    def import_case(self, case: CaseFile) -> ImportResult:
        """Write a case file's history; facts already in the ledger are
        skipped, so importing the same file twice stores nothing new. Either
        every new fact is stored or, on the first invalid one, none is."""
        return self.import_cases([case])[0]

    def import_cases(self, cases: list[CaseFile]) -> list[ImportResult]:
        """Import several case files as one: every file is validated before
        anything is written, then all their new facts are saved in one
        transaction (`save` of several aggregates), so either all are stored
        or none is. Files may share an employee; later ones build on earlier."""
        employees: dict[str, Employee] = {}
        results = []
        started = self.recorder.started(  # type: ignore[attr-defined]
            list({employee_uuid(case.registration.employee_id) for case in cases}))
        for case in cases:
            employee_id = case.registration.employee_id
            existing = employees.get(employee_id) or (
                self._existing(employee_id) if employee_uuid(employee_id) in started else None)
            employee, stored, held = apply_case(case, self.registry, existing)
            employees[employee_id] = employee
            results.append(ImportResult(employee_id, stored, held))
        changed = {r.employee_id for r in results if r.stored}
        if changed:
            self.save(*(employees[employee_id] for employee_id in changed))
        for case, result in zip(cases, results, strict=True):
            log.info("case_imported", employee=result.employee_id, stored=result.stored,
                     already_held=result.already_held, correlation_id=case.registration.correlation_id)
        return results

    # --- queries -----------------------------------------------------------

    def employee(self, employee_id: str) -> Employee:
        try:
            return self.repository.get(employee_uuid(employee_id))
        except AggregateNotFoundError:
            raise EmployeeNotFound(employee_id) from None

    def employee_id_of(self, originator_id: UUID) -> str:
        """The employee reference behind an aggregate id (its registration)."""
        if originator_id not in self._references:
            first = self.recorder.select_events(originator_id, lte=1)
            self._references[originator_id] = self.mapper.to_domain_event(first[0]).employee_id  # type: ignore[attr-defined]
        return self._references[originator_id]

    def history(self, employee_id: str) -> list[Fact]:
        return list(self.employee(employee_id).facts)

    def version_of(self, employee_id: str) -> int:
        """How many events the employee's history holds (0: none), read
        without decoding any of them."""
        last = self.recorder.select_events(employee_uuid(employee_id), desc=True, limit=1)
        return last[0].originator_version if last else 0

    def histories(self, batch: int = 5000, partition: tuple[int, int] = (0, 1)) -> "Histories":
        """Every employee's history (erased ones left out), read in one pass
        over the ledger's notification log (not one aggregate load each).

        `partition` (index, count): only the employees whose aggregate id
        falls in that share (`partition_of`), so `count` processes can each
        take one share of a replay; the others' events are not read."""
        by_employee: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
        erased: set[UUID] = set()
        with _collector_paused():
            for notification in self.ledger_notifications(batch, partition):
                if notification.originator_id in erased:
                    continue
                try:
                    by_employee[notification.originator_id].append(
                        self.mapper.to_domain_event(notification).fact)  # type: ignore[attr-defined]
                except EmployeeErased:
                    erased.add(notification.originator_id)
                    by_employee.pop(notification.originator_id, None)
        return Histories(list(by_employee.values()))

    def erase_employee(self, employee_id: str, today: date, retention_years: int) -> None:
        """Crypto-shred an employee's record once the retention period after
        their employment ended has passed (SPEC 10 data protection)."""
        if self.keys is None:
            raise LedgerError("erasure needs ATTENDANCE_CRYPTO_SHREDDING=on (events sealed per employee)")
        employee = self.employee(employee_id)
        ended = [f.effective for f in employee.facts if isinstance(f, EmploymentEnded)]
        if not ended:
            raise LedgerError(f"employee {employee_id!r} is still employed: records are kept")
        retained_until = add_months(ended[0], 12 * retention_years)
        if today < retained_until:
            raise LedgerError(f"employee {employee_id!r}'s record is retained until {retained_until}")
        self.keys.shred(employee.id)
        self.recorder.forget_claims(employee_id)  # type: ignore[attr-defined]  # a key's request hash is derived from health data
        log.info("employee_erased", employee=employee_id)

    def ledger_notifications(self, batch: int = 5000, partition: tuple[int, int] = (0, 1)):
        """The notification log in order, or only the events of one share of
        the employees (`partition`: index, count)."""
        select = self.recorder.select_notifications
        if partition[1] > 1:
            select = partial(self.recorder.select_share, suffixes=share_suffixes(*partition))  # type: ignore[attr-defined]
        start = 1
        while True:
            page = select(start, batch)
            yield from page
            if len(page) < batch:
                return
            start = page[-1].id + 1

    # --- helpers -------------------------------------------------------------

    def _check_key_opens_the_store(self) -> None:
        """Open the first readable event now, so a missing or wrong CIPHER_KEY
        stops the service at start with one line, not a request later."""
        for notification in self.recorder.select_notifications(1, 10):
            try:
                self.mapper.to_domain_event(notification)
                return
            except EmployeeErased:  # shredded on purpose - or never sealed per employee
                if self._readable_without_shredding(notification):
                    raise SettingsError("ATTENDANCE_CRYPTO_SHREDDING=on, but this ledger was written without it: "
                                        "its events are not sealed per employee (turn it off for this store)") from None
                continue

    def _readable_without_shredding(self, stored: StoredEvent) -> bool:
        """An event that opens with the store-wide cipher, or with none, was
        written without per-employee keys (an erased one opens with neither)."""
        for cipher in (self.mapper.cipher, None):
            try:
                Mapper(self.mapper.transcoder, self.mapper.compressor, cipher).to_domain_event(stored)
                return True
            except Exception:  # noqa: BLE001 - any failure to open means "not this way"
                continue
        return False

    def _existing(self, employee_id: str) -> Employee | None:
        try:
            return self.employee(employee_id)
        except EmployeeNotFound:
            return None

    def _check_policy(self, policy: str, field: str) -> None:
        if policy not in self.registry:
            raise InvalidEvent(field, f"unknown policy {policy!r} (known: {', '.join(self.registry.ids)})")

    @staticmethod
    def _stamped(fact: F) -> F:  # live commands are recorded now
        if fact.recorded_at is not None:
            return fact
        return fact.model_copy(update={"recorded_at": datetime.now(timezone.utc)})


def apply_case(case: CaseFile, registry: RulebookRegistry,
               existing: Employee | None = None) -> tuple[Employee, int, int]:
    """The employee with the case file's facts recorded (not yet saved).

    Facts are recorded in the order the ledger learned them (`known_order`),
    so a file need not be sorted.
    Returns the aggregate, how many facts are new and how many it held.
    """
    for index, fact in [(None, case.registration), *case.events]:
        # asked of the type first: a missing attribute costs pydantic an exception
        policy = getattr(fact, "policy", None) if "policy" in type(fact).model_fields else None
        if policy is not None and policy not in registry:
            where = "employee.policy" if index is None else f"events[{index}].policy"
            raise InvalidEvent(where, f"unknown policy {policy!r} (known: {', '.join(registry.ids)})")
    if existing is None:
        employee = Employee.register(case.registration)
    elif existing.registration.fingerprint != case.registration.fingerprint:
        raise InvalidEvent("employee", f"differs from the registration of {existing.employee_id!r} "
                                       "already in the ledger (record a ContractChanged instead)")
    else:
        employee = existing
    seen: Counter[str] = Counter()
    stored = held = 0
    for index, fact in sorted(case.events, key=_ledger_order):
        # a new employee holds only what this file recorded, one copy per
        # copy seen, so nothing is held yet: no fingerprint to take
        if existing is not None:
            seen[fact.fingerprint] += 1
            if employee.holds(fact, seen[fact.fingerprint]):
                held += 1
                continue
        try:
            employee.record(stamp_decision(employee, fact, registry))
        except UnknownAbsence as error:
            raise _reported_later(error, fact, case).at(f"events[{index}]") from None
        except InvalidEvent as error:
            raise error.at(f"events[{index}]") from None
        stored += 1
    # the registration counts like any fact: new the first time, held after
    return employee, stored + (existing is None), held + (existing is not None)


def stamp_decision(employee: Employee, fact: Fact, registry: RulebookRegistry) -> Fact:
    """A review meeting with the policy, rulebook hash and status in force
    when it was held, as the ledger knew them when it was recorded."""
    if not isinstance(fact, MeetingHeld) or fact.kind not in STAGE_OF_REVIEW:
        return fact
    try:
        view = EmployeeView.of(employee.facts, fact.date, fact.recorded_at)
    except NotYetKnown:  # a meeting imported as recorded before the registration
        view = EmployeeView.of(employee.facts, fact.date)
    rulebook = registry.get(view.policy)
    status = evaluate_view(view, rulebook)
    shown = {
        "levels": status.levels,
        "reviews_due": [{"stage": r.stage, "kind": r.kind, "track": r.track, "triggered_on": r.triggered_on.isoformat()}
                        for r in status.reviews_due],
    }
    return fact.model_copy(update={"policy": rulebook.id, "rulebook_hash": rulebook.content_hash,
                                   "status_shown": shown})


def _reported_later(error: UnknownAbsence, fact: Fact, case: CaseFile) -> InvalidEvent:
    """Say so when the file does report the absence, but as known later —
    unless the fact only comes first because it is dated before the absence
    began: a return on or before the first day is that return's fault."""
    for _, reported in case.events:
        if isinstance(reported, SicknessReported) and reported.absence_id == error.absence_id:
            if isinstance(fact, ReturnedToWork) and fact.first_day_back <= reported.first_day:
                return return_before_first_day(reported.first_day)
            return InvalidEvent(error.field, f"{error.message} yet: the file reports it later "
                                             f"(first day {reported.first_day}, recorded {reported.recorded_at})")
    return error


def _ledger_order(entry: tuple[int, Fact]) -> tuple:
    index, fact = entry
    return known_order(fact), index
