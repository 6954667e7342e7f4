"""Erasure by crypto-shredding (UK GDPR article 17, after the retention period).

With ATTENDANCE_CRYPTO_SHREDDING=on every employee's events are encrypted
with a key of their own (AES-GCM, the `eventsourcing` library's cipher),
kept in the `employee_keys` table of the ledger's database. Erasing an
employee deletes their key: their events stay in the append-only store - no
one else's history or notification ids move - but can never be read again.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import Environment

from domain.exceptions import LedgerError


class EmployeeErased(LedgerError):
    def __init__(self, originator_id: UUID | str) -> None:
        super().__init__(f"this employee's record was erased (aggregate {originator_id})")
        self.originator_id = originator_id


class EmployeeKeys:
    """Per-employee data keys in the ledger's own database."""

    def __init__(self, datastore: Any, placeholder: str) -> None:
        self.datastore, self.placeholder = datastore, placeholder
        self._ciphers: dict[str, AESCipher] = {}
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS employee_keys (originator_id TEXT PRIMARY KEY, data_key TEXT)")

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)

    def _cipher(self, originator_id: UUID | str, create: bool) -> AESCipher:
        key = str(originator_id)
        if key not in self._ciphers:
            with self.datastore.transaction(commit=create) as cursor:
                cursor.execute(self._sql("SELECT data_key FROM employee_keys WHERE originator_id = ?"), (key,))
                row = cursor.fetchone()
                if row is None and not create:
                    raise EmployeeErased(originator_id)
                if row is None:
                    data_key = AESCipher.create_key(32)
                    cursor.execute(self._sql("INSERT INTO employee_keys VALUES (?, ?)"), (key, data_key))
                else:
                    data_key = row["data_key"] if isinstance(row, dict) else row[0]
            self._ciphers[key] = AESCipher(Environment(env={AESCipher.CIPHER_KEY: data_key}))
        return self._ciphers[key]

    def encrypt(self, originator_id: UUID | str, state: bytes) -> bytes:
        return self._cipher(originator_id, create=True).encrypt(state)

    def decrypt(self, originator_id: UUID | str, state: bytes) -> bytes:
        return self._cipher(originator_id, create=False).decrypt(state)

    def shred(self, originator_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._sql("DELETE FROM employee_keys WHERE originator_id = ?"), (str(originator_id),))
        self._ciphers.pop(str(originator_id), None)


class ShreddingMapper(Mapper):
    """The library's mapper, with each employee's events sealed by their key."""

    def __init__(self, inner: Mapper, keys: EmployeeKeys) -> None:
        super().__init__(inner.transcoder, inner.compressor, inner.cipher)
        self.keys = keys

    def to_stored_event(self, domain_event) -> StoredEvent:
        stored = super().to_stored_event(domain_event)
        return StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                           self.keys.encrypt(stored.originator_id, stored.state))

    def to_domain_event(self, stored_event: StoredEvent):
        opened = StoredEvent(stored_event.originator_id, stored_event.originator_version, stored_event.topic,
                             self.keys.decrypt(stored_event.originator_id, stored_event.state))
        return super().to_domain_event(opened)
