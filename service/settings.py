"""Every setting the deployment reads, read once from the environment.

Entrypoints call `Settings.from_environment()` once, at start, and hand the
result to `service.bootstrap`; nothing below the entrypoints reads the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from domain.exceptions import LedgerError

ON = ("on", "1", "true", "yes")
#: what a database URL may start with: a SQLite path (no scheme, file:, sqlite:) or PostgreSQL
STORE_SCHEMES = ("", "file", "sqlite", "postgresql", "postgres")
MAKE_A_KEY = 'python -c "from eventsourcing.cipher import AESCipher; print(AESCipher.create_key(32))"'


class SettingsError(LedgerError):
    """The deployment's settings cannot work: the service refuses to start."""


def require_cipher_key(crypto_shredding: bool, cipher_key: str | None) -> None:
    """Crypto-shredding keeps each employee's data key in the ledger's own
    database: without CIPHER_KEY sealing the events too, whoever reads the
    database reads the keys beside the data, and erasure protects nothing."""
    if crypto_shredding and not cipher_key:
        raise SettingsError("CIPHER_KEY is not set: ATTENDANCE_CRYPTO_SHREDDING=on needs it (without it the "
                            f"per-employee keys would sit in plain text beside the data); make one with {MAKE_A_KEY}")


def _whole_number(env: Mapping[str, str], variable: str, default: int, least: int) -> int:
    text = env.get(variable)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{variable}: {text[:40]!r} is not a whole number") from None
    if value < least:
        raise SettingsError(f"{variable}: must be at least {least} ({value} given)")
    return value


@dataclass(frozen=True)
class Settings:
    #: the ledger: a SQLite path or sqlite:/// URL (default ./attendance.db), or postgresql://...
    database_url: str | None = None
    #: a Kafka consumer's own database (its read model, offsets, inbox); default: the ledger's
    read_model_url: str | None = None
    #: directories of an organisation's own rulebooks, beside the shipped ones
    rulebook_dirs: tuple[Path, ...] = ()
    #: every employee's events sealed with their own key, so erasure can shred it
    crypto_shredding: bool = False
    retention_years: int = 6
    kafka_bootstrap: str | None = None
    kafka_partitions: int = 6
    jwt_key: str | None = None
    jwt_key_file: Path = Path(".attendance-jwt-key")
    access_log: Path = Path("access.log")
    log_level: str = "WARNING"
    #: the library's own settings - CIPHER_KEY (AES at rest for event
    #: payloads), CIPHER_TOPIC, COMPRESSOR_TOPIC - passed to the event store
    library: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("ATTENDANCE_DATABASE_URL") or None,
            read_model_url=env.get("ATTENDANCE_READ_MODEL_URL") or None,
            rulebook_dirs=tuple(Path(d) for d in env.get("ATTENDANCE_RULEBOOKS", "").split(os.pathsep) if d),
            crypto_shredding=env.get("ATTENDANCE_CRYPTO_SHREDDING", "").lower() in ON,
            retention_years=_whole_number(env, "ATTENDANCE_RETENTION_YEARS", 6, least=0),
            kafka_bootstrap=env.get("ATTENDANCE_KAFKA_BOOTSTRAP") or None,
            kafka_partitions=_whole_number(env, "ATTENDANCE_KAFKA_PARTITIONS", 6, least=1),
            jwt_key=env.get("ATTENDANCE_JWT_KEY") or None,
            jwt_key_file=Path(env.get("ATTENDANCE_JWT_KEY_FILE", ".attendance-jwt-key")),
            access_log=Path(env.get("ATTENDANCE_ACCESS_LOG", "access.log")),
            log_level=env.get("ATTENDANCE_LOG_LEVEL", "WARNING").upper(),
            library={k: env[k] for k in ("CIPHER_KEY", "CIPHER_TOPIC", "COMPRESSOR_TOPIC") if env.get(k)},
        )

    def check(self) -> None:
        """Refuse settings that cannot work, naming the setting (at start)."""
        require_cipher_key(self.crypto_shredding, self.library.get("CIPHER_KEY"))
        for variable, url in (("ATTENDANCE_DATABASE_URL", self.database_url),
                              ("ATTENDANCE_READ_MODEL_URL", self.read_model_url)):
            scheme = urlparse(url or "").scheme
            if scheme not in STORE_SCHEMES:
                raise SettingsError(f"{variable}: unsupported scheme {scheme!r} "
                                    "(a SQLite path or sqlite:///..., or postgresql://...)")

    @property
    def consumer_database_url(self) -> str | None:
        return self.read_model_url or self.database_url
