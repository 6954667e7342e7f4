"""The compose file, which no engine here can run, is checked for structure;
the ledger it runs is tested against a real PostgreSQL elsewhere."""

from pathlib import Path

import yaml

from domain.application import store_environment

ROOT = Path(__file__).parent.parent


def test_compose_runs_the_ledger_against_a_healthy_postgres():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "healthcheck" in services["postgres"]
    ledger = services["ledger"]
    assert ledger["depends_on"]["postgres"]["condition"] == "service_healthy"
    env = store_environment(ledger["environment"]["ATTENDANCE_DATABASE_URL"])
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DBNAME"]) == (
        services["postgres"]["environment"]["POSTGRES_USER"],
        services["postgres"]["environment"]["POSTGRES_PASSWORD"],
        services["postgres"]["environment"]["POSTGRES_DB"],
    )
    assert env["POSTGRES_HOST"] == "postgres"


def test_the_image_copies_every_package_it_installs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("domain", "projections", "consumers", "api"):
        assert f"COPY {package} {package}" in dockerfile
