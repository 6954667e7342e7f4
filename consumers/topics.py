"""The Kafka topics and clients (kafka-python), configured from the
environment: ATTENDANCE_KAFKA_BOOTSTRAP, e.g. 127.0.0.1:9092."""

from __future__ import annotations

import os

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

EVENTS = "attendance.events.v1"
PAYROLL = "attendance.payroll.v1"
PARTITIONS = int(os.environ.get("ATTENDANCE_KAFKA_PARTITIONS", "6"))


def bootstrap() -> str:
    address = os.environ.get("ATTENDANCE_KAFKA_BOOTSTRAP")
    if not address:
        raise RuntimeError("ATTENDANCE_KAFKA_BOOTSTRAP is not set (e.g. 127.0.0.1:9092)")
    return address


def ensure_topics(*names: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap(), client_id="attendance-admin")
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(n, num_partitions=PARTITIONS, replication_factor=1) for n in names if n not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def producer() -> KafkaProducer:
    # acks=all: a message counts as sent only once the broker has it.
    return KafkaProducer(bootstrap_servers=bootstrap(), acks="all", retries=5, linger_ms=5,
                         max_in_flight_requests_per_connection=1)


def consumer(topic: str, group: str, **options) -> KafkaConsumer:
    """A group member that never commits offsets to Kafka itself: each
    consumer keeps its offsets in its database, with the rows they produced."""
    settings = {"auto_offset_reset": "earliest", "enable_auto_commit": False,
                "max_poll_interval_ms": 10_000, "session_timeout_ms": 6_000, "heartbeat_interval_ms": 1_000}
    consumer = KafkaConsumer(bootstrap_servers=bootstrap(), group_id=group, **{**settings, **options})
    return consumer
