"""Input files: what kind of file a path holds, its hash, and the read error.

The file type is sniffed from the first bytes, never trusted from the
extension: ``ezdxf.recover`` turns a DWG or random bytes into an empty
drawing without a word, so such files must be refused before any reader
sees them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Converters that turn a DWG into a DXF when ezdwg (drawcheck's own DWG reader) cannot read it.
DWG_CONVERTERS = "the ODA File Converter (opendesign.com), LibreDWG's dwg2dxf or the CAD program that wrote it"

_BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"


class ReadError(Exception):
    """The input cannot be read at all; ``str()`` is one line for the user (exit 2)."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff(path: Path) -> str:
    """Return the file kind: ``dxf``, ``dxf-binary``, ``dwg``, ``ifc``, ``zip``, ``pdf``, ``empty`` or ``unknown``."""
    with open(path, "rb") as fp:
        head = fp.read(4096)
    if not head.strip():
        return "empty"
    if head.startswith(_BINARY_DXF_SENTINEL):
        return "dxf-binary"
    if head[:4] == b"AC10" and head[4:6].isdigit():
        return "dwg"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):  # a ZIP archive (or an empty one)
        return "zip"
    if head.lstrip().startswith(b"ISO-10303-21"):
        return "ifc"
    if _looks_like_ascii_dxf(head):
        return "dxf"
    return "unknown"


def _looks_like_ascii_dxf(head: bytes) -> bool:
    """An ASCII DXF starts with group code 0 followed by SECTION, after any number of 999 comments."""
    lines = [line.strip() for line in head.splitlines()]
    while len(lines) >= 2 and lines[0] == b"999":
        lines = lines[2:]
    return len(lines) >= 4 and lines[0] == b"0" and lines[1].upper() == b"SECTION"


def check_readable(path: Path, max_bytes: int) -> None:
    """Raise :class:`ReadError` when ``path`` is missing, not a file, or over ``max_bytes``."""
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if not path.is_file():
        raise ReadError(f"{path}: not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError(f"{path.name}: {size} bytes exceeds the limit of {max_bytes} bytes (--max-bytes or [limits] max_bytes)")
