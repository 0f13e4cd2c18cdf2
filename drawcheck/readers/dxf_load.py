"""Open a DXF file with ezdxf: plain read first, ``recover`` for damaged files.

Every repair ezdxf makes (recover's or the audit's) and every warning it logs
is returned as a note, so nothing is repaired silently.
"""

from __future__ import annotations

import gc
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import DWG_CONVERTERS, ReadError, sniff


@dataclass
class LoadedDxf:
    """An ezdxf document plus what loading it repaired or complained about."""

    doc: object
    recovered: bool = False
    repairs: list[tuple[str, str | None, int | None, str | None]] = field(default_factory=list)  # see _entry
    log: list[str] = field(default_factory=list)
    converter: str | None = None  # a DWG: what converted it ("ezdwg 0.17.0", "ODA File Converter")
    notes: list[tuple[str, str, tuple[str, ...], str | None]] = field(default_factory=list)  # DWG: code, message, handles, severity
    reader: str = "ezdxf"  # a DXF: which reader read it, "fast" (dxf_fast) or "ezdxf"
    fallback: str | None = None  # --reader auto: why the fast reader left the file to ezdxf


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


#: ezdxf names an entity it deleted only in the message, as ``INSERT(#2F)``.
_ENTITY_IN_MESSAGE = re.compile(r"\b([A-Z][A-Z0-9_]*)\(#([0-9A-Fa-f]+)\)")


def _entry(fix) -> tuple[str, str | None, int | None, str | None]:
    """(message, handle, AuditError code, dxftype) of an auditor entry."""
    entity = getattr(fix, "entity", None)
    message = f"ezdxf repaired: {fix.message}"
    if entity is not None and entity.is_alive:  # a deleted entity has lost its dxf attributes
        return message, entity.dxf.get("handle"), fix.code, entity.dxftype()
    found = _ENTITY_IN_MESSAGE.search(fix.message)
    return message, found and found.group(2), fix.code, found and found.group(1)


#: ``--reader`` choices: the fast reader where it can (else ezdxf), the fast reader or nothing, ezdxf.
READERS = ("auto", "fast", "ezdxf")


def load_dxf(path: Path, reader: str = "ezdxf", roles=None, units: str | None = None) -> LoadedDxf:
    """Read ``path`` as a DXF document, or raise :class:`ReadError` with one line.

    ``reader``: one of :data:`READERS`; the fast reader (:mod:`.dxf_fast`, ASCII DXF) needs the
    layer ``roles`` (:class:`~.layers.LayerRoles`, before inference) and ``units`` (``--units``).
    DWG files are read through ezdwg (:mod:`drawcheck.readers.dwg`); one that
    ezdwg cannot read goes to the ODA File Converter (ezdxf's ``odafc``
    add-on) when that is installed.
    """
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}")
    kind = sniff(path)
    if kind == "dwg":
        return _load_dwg(path)
    if kind == "empty":
        raise ReadError(f"{path.name}: the file is empty")
    if kind == "pdf":
        raise ReadError(f"{path.name}: a PDF, not a DXF drawing; export the site plan as DXF")
    if kind == "zip":
        raise ReadError(f"{path.name}: a ZIP archive, not a DXF drawing; unzip it and submit the drawing itself")
    if kind not in ("dxf", "dxf-binary"):
        raise ReadError(f"{path.name}: not a DXF file (no DXF header found)")

    import ezdxf
    from ezdxf import recover

    logger = logging.getLogger("ezdxf")
    handler = _Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    gc_was_enabled = gc.isenabled()
    gc.disable()  # ezdxf builds millions of acyclic objects: cyclic GC passes cost ~20 % of the read
    try:
        fallback = None
        if reader != "ezdxf":
            loaded_or_why = _read_fast(path, kind, roles, units)
            if isinstance(loaded_or_why, LoadedDxf):
                loaded_or_why.log = handler.messages
                return loaded_or_why
            if reader == "fast":
                raise ReadError(f"{path.name}: the fast reader cannot read it ({loaded_or_why}); "
                                "use --reader auto or --reader ezdxf")
            fallback = loaded_or_why
            handler.messages.clear()  # what ezdxf logged reading the reduced file is not this read's
        loaded = _read(path, kind, ezdxf, recover)
        loaded.fallback = fallback
    finally:
        if gc_was_enabled:
            gc.enable()
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    loaded.log = handler.messages
    return loaded


def _read_fast(path: Path, kind: str, roles, units: str | None) -> LoadedDxf | str:
    """The drawing read by :mod:`.dxf_fast`, or why it leaves the file to ezdxf."""
    if kind != "dxf":
        return "binary DXF"
    from .dxf_fast import read_fast
    from .dxf_tags import Unsupported
    from .layers import LayerRoles

    from .dxf_entities import clean_text

    try:
        fast = read_fast(path, roles if roles is not None else LayerRoles(), units)
    except Unsupported as exc:
        return clean_text(str(exc))  # it may quote the file's undecodable bytes
    except Exception as exc:  # a case the fast reader did not foresee: ezdxf's reader reads the file
        return clean_text(f"the fast reader failed ({type(exc).__name__}: {str(exc)[:80]})")
    loaded = LoadedDxf(fast.doc, reader="fast")
    loaded.repairs.extend(_entry(f) for f in fast.auditor.fixes)
    loaded.repairs.extend(_entry(e) for e in fast.auditor.errors)
    return loaded


def _read(path: Path, kind: str, ezdxf, recover) -> LoadedDxf:
    try:
        doc = _readfile(path, kind, ezdxf)
        auditor = doc.audit()  # the audit itself can fail on damage the plain read let through
    except Exception as exc:  # ezdxf raises DXFStructureError, ValueError, ... on damage
        if kind == "dxf-binary":  # recover cannot read binary DXF
            raise ReadError(f"{path.name}: damaged binary DXF ({_first_line(exc)})") from None
        try:
            doc, auditor = recover.readfile(path)
        except Exception as exc2:
            return _read_without_damaged_objects(path, ezdxf, recover, exc2)
        loaded = LoadedDxf(doc, recovered=True)
        loaded.repairs.append((f"ezdxf repaired: plain read failed ({_first_line(exc)}); read with ezdxf.recover",
                               None, None, None))
    else:
        loaded = LoadedDxf(doc)
    loaded.repairs.extend(_entry(f) for f in auditor.fixes)
    loaded.repairs.extend(_entry(e) for e in auditor.errors)
    return loaded


def _read_without_damaged_objects(path: Path, ezdxf, recover, failure: Exception) -> LoadedDxf:
    """Read a DXF both ezdxf readers refuse after dropping OBJECTS records geometry does not need.

    Damaged records go first (:func:`~.dxf_repair.drop_damaged_objects`); when that is not enough,
    every record outside :data:`~.dxf_repair.KEPT_OBJECTS`. Each dropped record becomes a repair.
    """
    import tempfile

    from .dxf_repair import drop_damaged_objects, drop_unneeded_objects

    raw = path.read_bytes()
    for drop in (drop_damaged_objects, drop_unneeded_objects):
        repaired, dropped = drop(raw)
        if not dropped:
            continue
        with tempfile.TemporaryDirectory(prefix="drawcheck-") as tmp:
            fixed = Path(tmp) / path.name
            fixed.write_bytes(repaired)
            try:
                doc = _readfile(fixed, "dxf", ezdxf)
                auditor = doc.audit()
                recovered = False
            except Exception:
                try:
                    doc, auditor = recover.readfile(fixed)
                    recovered = True
                except Exception:
                    continue
        loaded = LoadedDxf(doc, recovered=recovered)
        loaded.repairs.append((f"ezdxf could not read the file ({_first_line(failure)}); drawcheck dropped "
                               f"{len(dropped)} OBJECTS record(s) and read the rest", None, None, None))
        loaded.repairs.extend((f"dropped OBJECTS record {d.dxftype} {d.handle}: {d.reason}", d.handle, None, d.dxftype)
                              for d in dropped)
        loaded.repairs.extend(_entry(f) for f in auditor.fixes)
        loaded.repairs.extend(_entry(e) for e in auditor.errors)
        return loaded
    raise ReadError(f"{path.name}: damaged DXF that could not be recovered ({_first_line(failure)})")


def _readfile(path: Path, kind: str, ezdxf):
    """``ezdxf.readfile``, decoding ``\\U+xxxx`` and ``\\M+cxxxx`` escapes as ``ezdxf.recover`` does.

    DXF R2004 and older write characters outside the code page as such
    escapes; the plain reader keeps them verbatim, so a layer named 绿地
    would arrive as ``\\U+7eff\\U+5730`` and match no role.
    """
    if kind == "dxf":
        raw = path.read_bytes()
        if b"\\U+" in raw or b"\\M+" in raw:
            from ezdxf.filemanagement import dxf_file_info
            from ezdxf.lldxf.encoding import decode_dxf_unicode, decode_mif_to_unicode

            text = raw.decode(dxf_file_info(path).encoding, errors="surrogateescape")
            return ezdxf.read(io.StringIO(decode_mif_to_unicode(decode_dxf_unicode(text)), newline=None))
        del raw
    return ezdxf.readfile(path)


def _load_dwg(path: Path) -> LoadedDxf:
    """A DWG as an ezdxf document: ezdwg first, the ODA File Converter when ezdwg cannot read it."""
    from .dwg import DwgUnreadable, convert_with_ezdwg, ezdwg_version

    try:
        converted = convert_with_ezdwg(path)
    except DwgUnreadable as exc:
        failure = str(exc)
    else:
        loaded = LoadedDxf(converted.doc, converter=converted.converter, notes=converted.notes)
        loaded.repairs.extend(_entry(f) for f in converted.doc.audit().fixes)
        return loaded
    try:
        from ezdxf.addons import odafc
        installed = odafc.is_installed()
    except Exception:
        installed = False
    reader = f"ezdwg {ezdwg_version()}" if ezdwg_version() else "ezdwg (not installed)"
    if not installed:
        raise ReadError(f"{path.name}: a DWG that {reader} cannot read ({failure}); save it as DXF with "
                        f"{DWG_CONVERTERS} (with the ODA File Converter installed, drawcheck falls back to it)") from None
    try:
        doc = odafc.readfile(str(path))
    except Exception as exc:
        raise ReadError(f"{path.name}: a DWG that neither {reader} ({failure}) nor the ODA File Converter "
                        f"({_first_line(exc)}) could read") from None
    loaded = LoadedDxf(doc, converter="ODA File Converter")
    loaded.notes.append(("dwg-converted", f"{reader} could not read the DWG ({failure}); converted with the ODA "
                         "File Converter", (), None))
    loaded.repairs.extend(_entry(f) for f in doc.audit().fixes)
    return loaded


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
