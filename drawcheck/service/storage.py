"""Uploaded files under ``--data`` only: server-chosen names, size limits, safe zip extraction.

An upload name is never a path: :func:`store_upload` keeps only a sanitized
base name inside a directory the server chose, and refuses names that are
empty or dots. A ``.zip`` of a submission folder is extracted by
:func:`extract_zip`, which refuses absolute paths, ``..`` parts, symbolic
links, too many members and too many bytes (sizes are counted while
decompressing, not trusted from the archive's header). Limits are bytes.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  #: one upload request, bytes (413 above)
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  #: a zip's contents, bytes
MAX_ZIP_MEMBERS = 10_000
_CHUNK = 1 << 20


class UploadError(ValueError):
    """An upload is refused; ``status`` is the HTTP status (400 or 413), the message one line."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def safe_filename(name: str) -> str:
    """The base name of an upload, stripped of directories and control characters.

    Raises :class:`UploadError` (400) when nothing usable is left (``""``, ``.``, ``..``).
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if base in ("", ".", "..") or set(base) == {"."}:
        raise UploadError(f"unusable file name {name!r}")
    return base[:200]


def _member_parts(name: str) -> tuple[str, ...]:
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UploadError(f"zip member {name!r}: absolute or Windows path refused")
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        raise UploadError(f"zip member {name!r}: '..' refused")
    return tuple(p for p in parts if p != ".")


def extract_zip(archive: Path, dest: Path, *, max_bytes: int = MAX_UNZIPPED_BYTES,
                max_members: int = MAX_ZIP_MEMBERS) -> list[str]:
    """Extract ``archive`` into the new directory ``dest``; returns the member paths written, sorted.

    Refuses (:class:`UploadError`; nothing is left behind) absolute paths,
    ``..``, symbolic links and other special members, more than
    ``max_members`` members, and more than ``max_bytes`` decompressed (413).
    """
    dest = Path(dest)
    dest.mkdir(parents=True)
    written: list[str] = []
    try:
        try:
            zf = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UploadError(f"not a readable zip file ({type(exc).__name__})") from None
        with zf:
            infos = zf.infolist()
            if len(infos) > max_members:
                raise UploadError(f"zip has {len(infos)} members, more than {max_members}", 413)
            total = 0
            for info in infos:
                parts = _member_parts(info.filename)
                kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver wrote no file type
                if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                    raise UploadError(f"zip member {info.filename!r}: links and special files refused")
                if not parts:
                    continue
                target = dest.joinpath(*parts)
                if not target.resolve().is_relative_to(dest.resolve()):
                    raise UploadError(f"zip member {info.filename!r} leaves the upload folder")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "xb") as out:
                    while chunk := src.read(_CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            raise UploadError(f"zip contents exceed {max_bytes} bytes", 413)
                        out.write(chunk)
                written.append("/".join(parts))
    except FileExistsError:
        shutil.rmtree(dest, ignore_errors=True)
        raise UploadError("zip holds the same path twice") from None
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return sorted(written)


def unzipped_limit(max_upload_bytes: int) -> int:
    """Bytes a zip upload may hold decompressed: 20x the upload limit, at most :data:`MAX_UNZIPPED_BYTES`."""
    return min(MAX_UNZIPPED_BYTES, 20 * max_upload_bytes)


def store_files(files: list[tuple[str, Path]], dest: Path, *, max_unzipped: int = MAX_UNZIPPED_BYTES) -> list[str]:
    """Move uploaded ``files`` ((client name, received file) pairs) into the new folder ``dest``.

    One ``.zip`` alone is extracted (:func:`extract_zip`); otherwise each file
    keeps its sanitized base name (:func:`safe_filename`). Returns the paths
    written, relative to ``dest``. Raises :class:`UploadError`: two files of
    one name, or a zip among other files (400).
    """
    dest = Path(dest)
    names = [safe_filename(name) for name, _ in files]
    if len(files) == 1 and names[0].lower().endswith(".zip"):
        return extract_zip(files[0][1], dest, max_bytes=max_unzipped)
    if any(n.lower().endswith(".zip") for n in names):
        raise UploadError("a .zip must be the only file of an upload")
    if len({n.casefold() for n in names}) != len(names):
        raise UploadError("two uploaded files have the same name")
    dest.mkdir(parents=True)
    for name, (_, received) in zip(names, files):
        shutil.move(str(received), dest / name)
    return sorted(names)
