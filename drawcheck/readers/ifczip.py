"""``.ifczip``: the one IFC model inside a ZIP archive, unpacked to a private temporary file.

Nothing is extracted by the names the archive gives (no path from the
archive ever reaches the file system), the decompressed size is held to the
same byte limit as a plain input while it is being written (a ZIP header
may lie about it), and an archive with no, or more than one, ``.ifc`` member
is refused: the submission must say which model it means.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .files import ReadError, check_readable

__all__ = ["unpacked_ifc"]

_CHUNK = 1 << 20  # bytes copied at a time


@contextmanager
def unpacked_ifc(path: Path, max_bytes: int) -> Iterator[Path]:
    """The IFC model of the archive ``path`` as a temporary file (removed on exit).

    Raises :class:`ReadError` (one line naming ``path``) for an unreadable or
    encrypted archive, no or several ``.ifc`` members, or a model larger than
    ``max_bytes`` once decompressed.
    """
    check_readable(path, max_bytes)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(f"{path.name}: not a readable ZIP archive ({exc})") from None
    with archive:
        models = [i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".ifc")
                  and not i.filename.startswith("__MACOSX/")]
        if len(models) != 1:
            names = ", ".join(i.filename for i in models[:5])
            raise ReadError(f"{path.name}: holds {len(models)} .ifc files ({names or 'none'}); "
                            "an .ifczip must hold exactly one IFC model")
        member = models[0]
        if member.flag_bits & 0x1:
            raise ReadError(f"{path.name}: {member.filename} is encrypted")
        if member.file_size > max_bytes:
            raise ReadError(f"{path.name}: {member.filename} unpacks to {member.file_size} bytes, more than the "
                            f"limit of {max_bytes} bytes (--max-bytes or [limits] max_bytes)")
        with tempfile.TemporaryDirectory(prefix="drawcheck-ifczip-") as folder:
            target = Path(folder) / (path.stem + ".ifc")
            _copy_within(archive, member, target, max_bytes, path.name)
            yield target


def _copy_within(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, max_bytes: int,
                 shown: str) -> None:
    """Decompress ``member`` into ``target``, stopping as soon as it passes ``max_bytes``."""
    written = 0
    try:
        with archive.open(member) as src, open(target, "wb") as dst:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise ReadError(f"{shown}: {member.filename} unpacks to more than the limit of {max_bytes} "
                                    "bytes (--max-bytes or [limits] max_bytes)")
                dst.write(chunk)
    # zipfile raises NotImplementedError for a compression method it lacks (e.g. Deflate64)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ReadError(f"{shown}: {member.filename} cannot be unpacked ({type(exc).__name__}: {exc})") from None
