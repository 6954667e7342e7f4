"""Which fields of the ledger's events are health data - special category
data (UK GDPR article 9) - and of what kind: an ESR reason code, free text,
or a coded occupational health outcome.

The Kafka contract (consumers.contract) withholds the free text; the
service layer's privacy table (service.privacy) decides, per role, what
is shown of each kind.
"""

from __future__ import annotations

from typing import Literal, get_args, get_origin

from domain.events import FACT_TYPES, Fact, _reason_code

#: what is shown in place of a field a reader may not see
WITHHELD = "[withheld]"
_PROSE_NAMES = ("note", "description", "reason")


def free_text_fields(cls: type[Fact]) -> frozenset[str]:
    """The fields of an event type written in prose: a note, description or
    reason that is any string (not a Literal, not checked as a code)."""
    coded = {f for v in cls.__pydantic_decorators__.field_validators.values() for f in v.info.fields}
    prose = set()
    for name, field in cls.model_fields.items():
        annotation = field.annotation
        types = get_args(annotation) if get_origin(annotation) not in (None, Literal) else (annotation,)
        if name in _PROSE_NAMES and name not in coded and str in types:
            prose.add(name)
    return frozenset(prose)


def reason_code_fields(cls: type[Fact]) -> frozenset[str]:
    """The fields of an event type checked as ESR sickness reason codes."""
    return frozenset(f for v in cls.__pydantic_decorators__.field_validators.values()
                     if getattr(v.func, "__func__", v.func) is _reason_code for f in v.info.fields)


FREE_TEXT = {name: free_text_fields(cls) for name, cls in FACT_TYPES.items()}
REASON_CODES = {name: reason_code_fields(cls) for name, cls in FACT_TYPES.items()}
#: coded values that are health data in themselves: what occupational
#: health found (fit, unfit, disability likely)
HEALTH_OUTCOMES: dict[str, frozenset[str]] = {"OccupationalHealthReported": frozenset({"outcome"})}
