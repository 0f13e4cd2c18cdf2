"""JSON text as ``json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2)`` writes it, faster.

The standard library encodes in C only without ``indent``; with it, a
Python loop walks every value (1.5 s for the report of a 2,000-building
plan). Here the C encoder writes the compact text (separators ``,`` and
``:``) and one numba pass lays it out the way the indenting encoder does:
a newline and two spaces per level after ``{``, ``[`` and ``,``, ``": "``
between key and value, ``{}`` and ``[]`` when empty. Strings pass through
untouched (the scan skips them, escapes included; UTF-8 bytes of non-ASCII
characters never look like ASCII punctuation), so the result is the same
text byte for byte (``tests/test_json_text.py``).
"""

from __future__ import annotations

import json

import numpy as np

from ..geometry.jit import njit

#: Spaces per nesting level (as ``indent=2``).
INDENT = 2

# bytes the layout reacts to (numba reads module constants at compile time)
_QUOTE, _BACKSLASH, _COMMA, _COLON = ord('"'), ord("\\"), ord(","), ord(":")
_LBRACE, _RBRACE, _LBRACKET, _RBRACKET = ord("{"), ord("}"), ord("["), ord("]")
_NEWLINE, _SPACE = ord("\n"), ord(" ")


@njit(cache=True)
def _layout(src, out, indent):
    """Indent compact JSON bytes ``src`` into ``out`` (with an empty ``out`` the pass only counts).

    Returns the length of the indented text."""
    n = src.shape[0]
    write = out.shape[0] > 0
    k = 0
    depth = 0
    in_string = False
    i = 0
    while i < n:
        c = src[i]
        if in_string:
            if write:
                out[k] = c
            k += 1
            if c == _BACKSLASH:  # backslash: the next byte belongs to the escape
                i += 1
                if write:
                    out[k] = src[i]
                k += 1
            elif c == _QUOTE:
                in_string = False
            i += 1
            continue
        if c == _QUOTE:
            in_string = True
            if write:
                out[k] = c
            k += 1
        elif c == _LBRACE or c == _LBRACKET:
            if write:
                out[k] = c
            k += 1
            if i + 1 < n and (src[i + 1] == _RBRACE or src[i + 1] == _RBRACKET):  # empty: {} or []
                if write:
                    out[k] = src[i + 1]
                k += 1
                i += 1
            else:
                depth += 1
                if write:
                    out[k] = _NEWLINE
                    for s in range(depth * indent):
                        out[k + 1 + s] = _SPACE
                k += 1 + depth * indent
        elif c == _RBRACE or c == _RBRACKET:
            depth -= 1
            if write:
                out[k] = _NEWLINE
                for s in range(depth * indent):
                    out[k + 1 + s] = _SPACE
            k += 1 + depth * indent
            if write:
                out[k] = c
            k += 1
        elif c == _COMMA:
            if write:
                out[k] = c
                out[k + 1] = _NEWLINE
                for s in range(depth * indent):
                    out[k + 2 + s] = _SPACE
            k += 2 + depth * indent
        elif c == _COLON:
            if write:
                out[k] = c
                out[k + 1] = _SPACE
            k += 2
        else:
            if write:
                out[k] = c
            k += 1
        i += 1
    return k


def dumps_indented(obj) -> str:
    """``json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2)``, the same text."""
    compact = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    src = np.frombuffer(compact, dtype=np.uint8)
    size = _layout(src, np.empty(0, dtype=np.uint8), INDENT)
    out = np.empty(size, dtype=np.uint8)
    _layout(src, out, INDENT)
    return out.tobytes().decode("utf-8")
