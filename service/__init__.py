"""The service layer: the use cases every entrypoint calls, and the
composition root (`bootstrap`) that wires them."""
