"""Registered check functions: pack rules name them in ``check = "..."``.

A check takes ``(ctx, rule)`` and returns its findings (an empty list means
passed), or ``(findings, details)``; it raises :class:`NotApplicable` when
nothing in the submission is subject to the rule and :class:`NotRun` when it
lacks what it needs. A duplicate registration fails at import time.
"""

from __future__ import annotations

from collections.abc import Callable

CHECKS: dict[str, Callable] = {}


class NotApplicable(Exception):
    """Nothing in the submission is subject to the rule (the message says why)."""


class NotRun(Exception):
    """The rule could not be evaluated: a missing condition or missing data (the message says which)."""


def check(name: str) -> Callable[[Callable], Callable]:
    """Register a check function under ``name``."""
    def register(fn: Callable) -> Callable:
        if name in CHECKS:
            raise ValueError(f"check '{name}' is registered twice ({CHECKS[name].__module__}, {fn.__module__})")
        CHECKS[name] = fn
        return fn
    return register


def load_checks() -> dict[str, Callable]:
    """Import every module that registers checks and return the registry."""
    from . import area, conditions, declared, fire, fire_access, greening, planning, qa, spacing, sunlight  # noqa: F401

    return CHECKS
