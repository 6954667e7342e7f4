"""Structured logs: JSON lines carrying the employee reference and the
correlation id. Health data (reason codes, notes) is never passed to a
logger anywhere in the product, and this processor drops it should a caller
ever try."""

from __future__ import annotations

import logging
import sys

import structlog

SPECIAL_CATEGORY = frozenset({"reason", "note", "description", "outcome"})


def _drop_health_data(_logger, _method, event_dict):
    for key in SPECIAL_CATEGORY & event_dict.keys():
        event_dict[key] = "[withheld]"
    return event_dict


def configure_logging(level: str = "WARNING") -> None:
    level = level.upper()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_health_data,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
