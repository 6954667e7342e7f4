"""The Kafka topics and clients (kafka-python) of one broker, whose address
comes from the settings (ATTENDANCE_KAFKA_BOOTSTRAP, e.g. 127.0.0.1:9092)."""

from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from service.settings import SettingsError

EVENTS = "attendance.events.v1"
PAYROLL = "attendance.payroll.v1"


@dataclass(frozen=True)
class Broker:
    address: str | None
    partitions: int = 6

    @property
    def bootstrap(self) -> str:
        if not self.address:
            raise SettingsError("ATTENDANCE_KAFKA_BOOTSTRAP is not set (e.g. 127.0.0.1:9092)")
        return self.address

    def ensure_topics(self, *names: str) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="attendance-admin")
        try:
            existing = set(admin.list_topics())
            missing = [NewTopic(n, num_partitions=self.partitions, replication_factor=1)
                       for n in names if n not in existing]
            if missing:
                try:
                    admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass
        finally:
            admin.close()

    def producer(self) -> KafkaProducer:
        # acks=all: a message counts as sent only once the broker has it.
        return KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", retries=5, linger_ms=5,
                             max_in_flight_requests_per_connection=1)

    def consumer(self, topic: str, group: str | None, **options) -> KafkaConsumer:
        """A group member (a reader of its own with `group` None) that never
        commits offsets to Kafka itself: each consumer keeps its offsets in
        its database, with the rows they produced."""
        # fetch_max_wait_ms 100, not kafka-python's 500: Kafka answers a fetch as
        # soon as records arrive, but Tansu (the tests' broker) answered a median
        # 120 ms late with 500 and 20 ms with 100 - straight onto the feeds' lag
        settings = {"auto_offset_reset": "earliest", "enable_auto_commit": False, "fetch_max_wait_ms": 100,
                    "max_poll_interval_ms": 10_000, "session_timeout_ms": 6_000, "heartbeat_interval_ms": 1_000}
        return KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=group, **{**settings, **options})
