"""The compose file, which no engine here can run, is checked for structure;
the processes it runs are tested against a real PostgreSQL and a real
Kafka-protocol broker elsewhere (tests/kafka, tests/ledger)."""

from pathlib import Path

import yaml

from service.ledger import store_environment

ROOT = Path(__file__).parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PROCESSES = {"relay": ["relay"], "projector": ["project"], "read-model-consumer": ["read-model-consumer"],
             "payroll-projector": ["payroll-projector"], "api": ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]}


def test_infrastructure_services_have_health_checks():
    assert "healthcheck" in SERVICES["postgres"] and "healthcheck" in SERVICES["kafka"]
    assert SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft


def test_every_process_runs_a_real_command_once_the_infrastructure_is_healthy():
    for name, command in PROCESSES.items():
        service = SERVICES[name]
        assert service["command"] == command
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["depends_on"]["import"]["condition"] == "service_completed_successfully"


def test_the_database_urls_reach_the_postgres_service():
    postgres = SERVICES["postgres"]["environment"]
    environment = SERVICES["relay"]["environment"]
    for variable in ("ATTENDANCE_DATABASE_URL", "ATTENDANCE_READ_MODEL_URL"):
        env = store_environment(environment[variable])
        assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres" and env["POSTGRES_HOST"] == "postgres"
        assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == (postgres["POSTGRES_USER"],
                                                                   postgres["POSTGRES_PASSWORD"])
    consumers = store_environment(environment["ATTENDANCE_READ_MODEL_URL"])["POSTGRES_DBNAME"]
    assert f"CREATE DATABASE {consumers}" in (ROOT / "deploy" / "postgres-init.sql").read_text()
    assert environment["ATTENDANCE_KAFKA_BOOTSTRAP"] == "kafka:9092"


def test_the_image_copies_every_package_it_installs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("domain", "projections", "consumers", "api"):
        assert f"COPY {package} {package}" in dockerfile


def test_payloads_are_encrypted_and_erasable_by_default_in_compose():
    environment = SERVICES["api"]["environment"]
    assert environment["CIPHER_KEY"] and environment["ATTENDANCE_CRYPTO_SHREDDING"] == "on"
    assert "healthcheck" in SERVICES["api"] and SERVICES["api"]["ports"] == ["8000:8000"]
