"""Kafka relay and consumers (the scale-out read model and the payroll
feed). Not built yet: see the README's status section."""
