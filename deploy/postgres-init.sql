-- The Kafka consumers' read model lives in its own database beside the ledger.
CREATE DATABASE attendance_consumers OWNER attendance;
