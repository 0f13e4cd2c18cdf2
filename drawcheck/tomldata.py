"""TOML files read as data (manifests, rule packs): one-line parse errors, bounded nesting.

Nothing read from these files is ever evaluated; values are checked for
shape, and hostile nesting (arrays inside arrays thousands deep) is refused
before any recursive code sees it.
"""

from __future__ import annotations

import math

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = ["MAX_ARRAY_DEPTH", "TomlDataError", "loads", "param_value", "scalar_value"]

#: Deepest array a parameter may be (pack tables are 2 deep, e.g. GB 50016 Table 5.2.2).
MAX_ARRAY_DEPTH = 8


class TomlDataError(ValueError):
    """The text is not TOML drawcheck reads; the message is one line."""


def loads(text: str) -> dict:
    """Parse ``text`` as TOML, raising :class:`TomlDataError` with one line on any failure."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlDataError(f"TOML syntax error: {' '.join(str(exc).split())}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise TomlDataError("TOML nested too deeply (arrays or inline tables)") from None


def scalar_value(value: object) -> bool:
    """A string, a boolean or a finite number."""
    if isinstance(value, (str, bool)):
        return True
    return isinstance(value, (int, float)) and math.isfinite(value)


def param_value(value: object, max_depth: int = MAX_ARRAY_DEPTH) -> bool:
    """A scalar (:func:`scalar_value`) or a non-empty (nested) array of them at most ``max_depth`` deep.

    Iterative, so a hostile file nested as deep as the TOML parser allows costs no recursion.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list):
            if not item or depth >= max_depth:
                return False
            stack.extend((x, depth + 1) for x in item)
        elif not scalar_value(item):
            return False
    return True
