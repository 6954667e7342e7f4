"""The settings are read from the environment in one place."""

from pathlib import Path

import pytest

from service.settings import Settings, SettingsError


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


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("ATTENDANCE_RETENTION_YEARS", "abc", "ATTENDANCE_RETENTION_YEARS: 'abc' is not a whole number"),
    ("ATTENDANCE_RETENTION_YEARS", "-1", "ATTENDANCE_RETENTION_YEARS: must be at least 0 (-1 given)"),
    ("ATTENDANCE_KAFKA_PARTITIONS", "x", "ATTENDANCE_KAFKA_PARTITIONS: 'x' is not a whole number"),
    ("ATTENDANCE_KAFKA_PARTITIONS", "0", "ATTENDANCE_KAFKA_PARTITIONS: must be at least 1 (0 given)"),
])
def test_a_setting_that_is_not_a_usable_number_is_refused_naming_its_variable(variable, value, says):
    with pytest.raises(SettingsError) as raised:
        Settings.from_environment({variable: value})
    assert str(raised.value) == says


@pytest.mark.parametrize("variable", ["ATTENDANCE_DATABASE_URL", "ATTENDANCE_READ_MODEL_URL"])
def test_a_database_url_of_an_unsupported_kind_is_refused_naming_its_variable(variable):
    settings = Settings.from_environment({variable: "mysql://x"})
    with pytest.raises(SettingsError, match=f"^{variable}: unsupported scheme 'mysql'"):
        settings.check()
    for usable in ("attendance.db", "sqlite:///a.db", "postgresql://u@db/ledger"):
        Settings.from_environment({variable: usable}).check()
