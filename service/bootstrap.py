"""The composition root: settings -> the ledger, rulebook registry, cipher,
read model and broker, wired once and handed to every use case.

Every entrypoint (CLI, HTTP, the Kafka consumers) calls `bootstrap` once
and passes the `Services` it returns to the use cases in this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from eventsourcing.cipher import Cipher
from eventsourcing.persistence import InfrastructureFactory

from domain.rulebook import RulebookRegistry
from service.access_log import AccessLog
from service.broker import Broker
from service.consumer_store import consumer_store
from service.ledger import AttendanceLedger
from service.read_model_store import read_model_store
from service.settings import Settings

if TYPE_CHECKING:
    from service.replay_jobs import ReplayJobs


@dataclass
class Services:
    settings: Settings
    registry: RulebookRegistry
    given_ledger: AttendanceLedger | None = field(default=None, repr=False)
    _access_log: AccessLog | None = field(default=None, init=False, repr=False)

    @cached_property
    def ledger(self) -> AttendanceLedger:
        """The event store, opened on first use (a what-if evaluation needs none)."""
        if self.given_ledger is not None:
            return self.given_ledger
        return AttendanceLedger(self.settings.database_url, self.registry, self.settings.crypto_shredding,
                                dict(self.settings.library))

    @cached_property
    def cipher(self) -> Cipher | None:
        """The ledger's cipher (CIPHER_KEY), which also seals the read model's
        health data; None when no key is set."""
        if self.given_ledger is not None:
            return self.given_ledger.mapper.cipher
        return InfrastructureFactory.construct(dict(self.settings.library)).cipher()

    @cached_property
    def read_model(self):
        """The read model beside the ledger (what `project` writes and queries read)."""
        return read_model_store(self.ledger.database_url, cipher=self.cipher)

    @cached_property
    def consumer_store(self):
        """A Kafka consumer's own database: ATTENDANCE_READ_MODEL_URL, else the ledger's."""
        return consumer_store(self.settings.consumer_database_url, self.cipher)

    @property
    def access_log(self) -> AccessLog:
        """The access log the settings name (kept open: one descriptor per process)."""
        if self._access_log is None or self._access_log.path != self.settings.access_log:
            self._access_log = AccessLog(self.settings.access_log)
        return self._access_log

    @cached_property
    def replay_jobs(self) -> ReplayJobs:
        """Replay jobs run by this process, kept where every process reads them."""
        from service.replay_jobs import ReplayJobs  # a use case over these services: imported once they exist

        return ReplayJobs(self)

    @cached_property
    def broker(self) -> Broker:
        return Broker(self.settings.kafka_bootstrap, self.settings.kafka_partitions)


def bootstrap(settings: Settings | None = None, ledger: AttendanceLedger | None = None) -> Services:
    """The services for these settings (default: the environment's, read now)."""
    settings = settings or Settings.from_environment()
    settings.check()
    if ledger is not None:
        return Services(settings, ledger.registry, ledger)
    return Services(settings, RulebookRegistry.load(*settings.rulebook_dirs))
