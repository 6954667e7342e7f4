"""The settings are read from the environment in one place."""

from pathlib import Path

from service.settings import Settings


def test_every_setting_comes_from_its_environment_variable_and_defaults_otherwise():
    settings = Settings.from_environment({
        "ATTENDANCE_DATABASE_URL": "postgresql://u:p@db/ledger", "ATTENDANCE_RULEBOOKS": "/a:/b",
        "ATTENDANCE_CRYPTO_SHREDDING": "on", "CIPHER_KEY": "k", "ATTENDANCE_RETENTION_YEARS": "7",
        "ATTENDANCE_KAFKA_BOOTSTRAP": "kafka:9092", "ATTENDANCE_LOG_LEVEL": "info"})
    assert settings.database_url == "postgresql://u:p@db/ledger"
    assert settings.consumer_database_url == settings.database_url  # no ATTENDANCE_READ_MODEL_URL
    assert settings.rulebook_dirs == (Path("/a"), Path("/b"))
    assert settings.crypto_shredding and settings.library == {"CIPHER_KEY": "k"}
    assert (settings.retention_years, settings.kafka_bootstrap, settings.log_level) == (7, "kafka:9092", "INFO")
    assert Settings.from_environment({}) == Settings()
