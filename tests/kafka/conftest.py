import pytest

from tests.kafka_broker import Broker


@pytest.fixture
def broker(monkeypatch):
    """A fresh, empty broker for each test: the topics' names are fixed."""
    running = Broker()
    monkeypatch.setenv("ATTENDANCE_KAFKA_BOOTSTRAP", running.address)
    yield running
    running.stop()
