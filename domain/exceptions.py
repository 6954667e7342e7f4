"""Domain exceptions. Each names the field at fault, so that a rejected
command or case file can be answered with one precise line."""


class LedgerError(Exception):
    """Base of every error the ledger reports to a user."""


class InvalidEvent(LedgerError):
    """An event breaks a rule of SPEC section 3; nothing is stored."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def at(self, prefix: str) -> "InvalidEvent":
        """The same error located inside a document (`events[3]`)."""
        return InvalidEvent(f"{prefix}.{self.field}", self.message)


class UnknownAbsence(InvalidEvent):
    def __init__(self, absence_id: str) -> None:
        super().__init__("absence_id", f"unknown absence {absence_id!r}")
        self.absence_id = absence_id


class EmployeeNotFound(LedgerError):
    def __init__(self, employee_id: str) -> None:
        super().__init__(f"employee {employee_id!r} is not in the ledger")
        self.employee_id = employee_id


class EmployeeAlreadyRegistered(LedgerError):
    def __init__(self, employee_id: str) -> None:
        super().__init__(f"employee {employee_id!r} is already in the ledger (record a ContractChanged instead)")
        self.employee_id = employee_id


class UnknownPolicy(LedgerError):
    def __init__(self, policy: str, known: list[str]) -> None:
        super().__init__(f"unknown policy {policy!r} (known: {', '.join(known)})")
        self.policy = policy
