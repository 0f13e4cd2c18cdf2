"""What each layer of a DXF drawing holds, and which role it gets (issue 12, point 4).

:func:`survey_layers` counts every layer's entities by type (blocks expanded
as the reader expands them: layer-0 content takes its INSERT's layer),
its closed outlines and a few of its texts, and classifies the layer:

- ``exact`` / ``pattern``: a default name, a manifest name or glob;
- ``inferred``: its name stands for a role once prefixes are taken off
  (:mod:`drawcheck.readers.layer_names`) and no other layer claims that role;
- ``ambiguous``: the same, but another layer claims the role too (two
  inferred layers, or one named exactly): not used;
- ``strict``: it would be inferred, but inference is off (``--strict-layers``);
- ``hidden``: it would be inferred, but it is off or frozen (never read);
- ``known``: a layer known to hold nothing drawcheck reads (annotation, paving);
- ``none``: no role.

The same survey drives the reader (which roles to use, the ``qa`` notes) and
``drawcheck layers`` (the table and a ``[layers]`` snippet for the manifest).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .dxf_entities import MAX_BLOCK_DEPTH, clean_text, has_undecodable
from .dxf_light import PolylineRun, each_entity, runs_in, stack_runs
from .layer_names import Inference
from .layers import LayerRoles

#: Texts kept per layer as samples.
SAMPLE_TEXTS = 3
#: A sample text is cut to this many characters.
SAMPLE_CHARS = 40
#: Layers named one by one in the qa:unmatched-layers finding (the rest are counted; drawcheck layers lists all).
MAX_LISTED = 40
#: Entity types whose text the survey samples.
_TEXT_TYPES = frozenset({"TEXT", "MTEXT"})


@dataclass
class LayerInfo:
    """One layer: its content (blocks expanded) and its role."""

    name: str
    counts: Counter = field(default_factory=Counter)  # DXF type -> entities
    closed: int = 0  # closed outlines (closed polylines, circles, full ellipses, closed splines); HATCH not counted
    text_count: int = 0  # TEXT and MTEXT
    texts: list[str] = field(default_factory=list)  # the first SAMPLE_TEXTS distinct texts
    extent: float = 0.0  # largest side of the largest closed outline drawn in model space, drawing units
    hidden: bool = False  # off or frozen: the reader skips it
    role: str | None = None  # the role the reader uses
    match: str = "none"  # exact | pattern | inferred | ambiguous | strict | hidden | known | none
    inference: Inference | None = None

    @property
    def entities(self) -> int:
        return sum(self.counts.values())

    @property
    def suggested(self) -> str | None:
        """The role the name stands for (used or not)."""
        return self.role if self.match in ("exact", "pattern") else (self.inference.role if self.inference else None)

    def content(self) -> str:
        """``2 closed outlines, 1 text`` (what makes the layer worth a role)."""
        parts = []
        if self.closed:
            parts.append(f"{self.closed} closed outline{'s' if self.closed != 1 else ''}")
        if self.text_count:
            parts.append(f"{self.text_count} text{'s' if self.text_count != 1 else ''}")
        return ", ".join(parts) or f"{self.entities} entities"

    def as_dict(self) -> dict:
        inf = self.inference
        return {
            "name": clean_text(self.name), "entities": self.entities, "counts": dict(sorted(self.counts.items())),
            "closed_outlines": self.closed, "text_count": self.text_count, "texts": list(self.texts),
            "hidden": self.hidden, "role": self.role, "match": self.match, "suggested_role": self.suggested,
            "known_as": inf.known if inf else None, "reason": inf.how() if inf else None,
        }


@dataclass
class Survey:
    """Every layer of one drawing, by name."""

    layers: list[LayerInfo]
    strict: bool = False

    def inferred(self) -> dict[str, str]:
        """Layer name -> role of the inferences the reader uses."""
        return {layer.name: layer.role for layer in self.layers if layer.match == "inferred"}

    def ambiguous(self) -> dict[str, list[LayerInfo]]:
        """Role -> the layers that could be it by name but are not read as it (ambiguous)."""
        out: dict[str, list[LayerInfo]] = {}
        for layer in self.layers:
            if layer.match == "ambiguous":
                out.setdefault(layer.inference.role, []).append(layer)
        return out

    def claimed_by(self, role: str) -> list[LayerInfo]:
        """The readable layers that have ``role`` by name (exact or pattern) and hold content."""
        return [x for x in self.layers if x.match in ("exact", "pattern") and x.role == role and x.entities
                and not x.hidden]

    def unmatched(self) -> list[LayerInfo]:
        """Readable layers with closed outlines or texts that get no role and no other word.

        Known no-role layers are left out, and so are ambiguous ones (their own finding names them).
        """
        return [x for x in self.layers
                if x.role is None and x.match in ("none", "strict") and not x.hidden
                and (x.closed or x.text_count) and not has_undecodable(x.name)]

    def site_hint(self) -> LayerInfo | None:
        """The layer most likely to hold the site boundary when no layer with the site role holds a closed outline.

        Ranked: a name that stands for the site (ambiguous or not used), a layer
        not known to hold annotation or paving, the largest closed outline.
        """
        if any(x.role == "site" and x.closed for x in self.layers):
            return None
        pool = [x for x in self.layers if x.role is None and x.closed and not x.hidden and not has_undecodable(x.name)]
        if not pool:
            return None
        return min(pool, key=lambda x: (x.suggested != "site", x.match == "known", -x.extent, x.closed, x.name))

    def snippet(self) -> str:
        """A ``[layers]`` table for drawcheck.toml giving a role to every layer whose name stands for one."""
        by_role: dict[str, list[str]] = {}
        choose: dict[str, list[str]] = {}
        for x in self.layers:
            if x.match in ("inferred", "strict"):
                by_role.setdefault(x.inference.role, []).append(x.name)
            elif x.match == "ambiguous":
                choose.setdefault(x.inference.role, []).append(x.name)
        lines = ["[layers]"]
        for role in sorted(by_role):
            lines.append(f"{role} = [{', '.join(_toml_string(n) for n in by_role[role])}]")
        for role in sorted(choose):
            others = [clean_text(x.name) for x in self.claimed_by(role)]
            why = (f"layer{'s' if len(others) > 1 else ''} {', '.join(others)} already {'are' if len(others) > 1 else 'is'} {role}"
                   if others else "several layers could be it")
            keep = "the one that holds the site boundary" if role == "site" else f"the ones that hold {_role_words(role)}"
            lines.append(f"# {role}: {why}; keep {keep}:")
            lines.append(f"# {role} = [{', '.join(_toml_string(n) for n in choose[role])}]")
        hint = self.site_hint()
        if hint is not None and "site" not in by_role and "site" not in choose:
            lines.append(f"# site: no layer is the site by name; the likeliest holds {hint.content()}:")
            lines.append(f"# site = [{_toml_string(hint.name)}]")
        rest = [x for x in self.unmatched() if x.match == "none"]
        if rest:
            lines.append("# no role by name (give one if they hold site-plan content):")
            lines.extend(f"#   {_toml_string(x.name)}: {x.content()}" for x in rest)
        if len(lines) == 1:
            lines.append("# nothing to add: every layer with content has its role by name")
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict:
        return {"strict": self.strict, "layers": [x.as_dict() for x in self.layers], "snippet": self.snippet()}


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's; TOML also wants DEL escaped)."""
    return json.dumps(clean_text(text), ensure_ascii=False).replace("\x7f", "\\u007f")


# -- counting -------------------------------------------------------------------------------------------------
class _Tally:
    """Per layer (case-folded) content of a run of entities; added to others ``times`` over."""

    __slots__ = ("names", "counts", "closed", "text_count", "texts", "extent", "_keys")

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}  # layer name as written -> key (names and counts already set)
        self.names: dict[str, str] = {}
        self.counts: dict[str, Counter] = {}
        self.closed: Counter = Counter()
        self.text_count: Counter = Counter()
        self.texts: dict[str, list[str]] = {}
        self.extent: dict[str, float] = {}

    def key(self, layer: str) -> str:
        key = self._keys.get(layer)
        if key is None:
            key = self._keys[layer] = layer.casefold()
            self.names.setdefault(key, layer)
            self.counts.setdefault(key, Counter())
        return key

    def add_text(self, key: str, text: str) -> None:
        self.text_count[key] += 1
        kept = self.texts.setdefault(key, [])
        text = " ".join(clean_text(text).split())
        if text and len(kept) < SAMPLE_TEXTS and text not in kept:
            kept.append(text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…")

    def merge(self, other: "_Tally", times: int) -> None:
        for key, counts in other.counts.items():
            self.names.setdefault(key, other.names[key])
            mine = self.counts.setdefault(key, Counter())
            for dxftype, n in counts.items():
                mine[dxftype] += n * times
            self.closed[key] += other.closed[key] * times
            self.text_count[key] += other.text_count[key] * times
            kept = self.texts.setdefault(key, [])
            for text in other.texts.get(key, []):
                if len(kept) < SAMPLE_TEXTS and text not in kept:
                    kept.append(text)


def _is_closed(e, dxftype: str) -> bool:
    if dxftype == "LWPOLYLINE":
        if e.closed:
            return True
        import numpy as np

        xy = np.asarray(e.lwpoints.values, dtype=float).reshape(-1, 5)[:, :2]
        return len(xy) > 2 and bool((xy[0] == xy[-1]).all())
    if dxftype == "POLYLINE":
        return bool(e.is_closed) and not (e.is_poly_face_mesh or e.is_polygon_mesh)
    if dxftype == "CIRCLE":
        return True
    if dxftype == "ELLIPSE":
        span = (e.dxf.end_param - e.dxf.start_param) % (2 * math.pi)
        return math.isclose(span, 0.0, abs_tol=1e-9) or math.isclose(span, 2 * math.pi, abs_tol=1e-9)
    if dxftype == "SPLINE":
        return bool(e.closed)
    return False


def _extent(e, dxftype: str) -> float:
    """Largest side of the outline's vertex box (arcs' bulges aside), drawing units; 0 when not cheap to tell."""
    import numpy as np

    if dxftype == "LWPOLYLINE":
        rows = np.asarray(e.lwpoints.values, dtype=float).reshape(-1, 5)  # x, y, widths, bulge per vertex
        xs, ys = rows[:, 0].tolist(), rows[:, 1].tolist()  # a few vertices: Python's min/max beat numpy's
        if not xs or not all(map(math.isfinite, xs + ys)):
            return 0.0
        return max(max(xs) - min(xs), max(ys) - min(ys))
    elif dxftype == "CIRCLE":
        return 2.0 * abs(float(e.dxf.radius))
    elif dxftype == "POLYLINE":
        xy = np.array([tuple(v.dxf.location)[:2] for v in e.vertices], dtype=float).reshape(-1, 2)
    else:
        return 0.0
    if not len(xy) or not np.isfinite(xy).all():
        return 0.0
    return float(np.ptp(xy, axis=0).max())


def _run_figures(runs: list[PolylineRun], top: bool) -> dict[int, tuple[int, float]]:
    """Per run (by ``id``), what :meth:`_Counter.tally` adds for its members (model space: their layer is their
    own): (closed outlines, largest extent among them, 0 when none or not ``top``), all runs at once."""
    import numpy as np

    values, offsets, members = stack_runs(runs)
    xy = values[:, :2]
    first, count = offsets[:-1], np.diff(offsets)
    closed = np.concatenate([r.closed for r in runs]) if runs else np.zeros(0, dtype=bool)
    long = ~closed & (count > 2)  # not flagged closed: closed when the first vertex is the last (_is_closed)
    closed[long] = (xy[first[long]] == xy[first[long] + count[long] - 1]).all(axis=1)
    extent = np.zeros(len(count))
    if top and len(xy):  # _extent: the larger side of the vertex box, 0 without vertices or with a non-finite one
        member = np.repeat(np.arange(len(count)), count)
        bad = np.bincount(member[~np.isfinite(xy).all(axis=1)], minlength=len(count)) > 0
        some = np.flatnonzero(count > 0)
        with np.errstate(invalid="ignore"):
            starts = first[some]
            sides = [np.maximum.reduceat(xy[:, c], starts) - np.minimum.reduceat(xy[:, c], starts) for c in (0, 1)]
            extent[some] = np.maximum(sides[0], sides[1])
        extent[bad] = 0.0
    n_closed = np.add.reduceat(closed.astype(np.int64), members[:-1]).tolist() if runs else []
    largest = np.maximum.reduceat(np.where(closed, extent, 0.0), members[:-1]).tolist() if runs else []
    return {id(r): (c, x) for r, c, x in zip(runs, n_closed, largest)}


class _Counter:
    """Counts a document's model space, expanding INSERTs once per (block, layer) and multiplying."""

    def __init__(self, doc, hidden: set[str]) -> None:
        self.doc = doc
        self.hidden = hidden
        self.memo: dict[tuple[str, str | None], _Tally] = {}

    def tally(self, entities: Iterable, parent_layer: str | None, stack: tuple[str, ...], top: bool) -> _Tally:
        out = _Tally()
        entities = list(entities)
        runs = runs_in(entities) if parent_layer is None else {}
        figures = _run_figures(list(runs.values()), top)
        for _, e, run in each_entity(entities, runs):
            if run is not None:  # its members at once
                key = out.key(run.layer)
                out.counts[key]["LWPOLYLINE"] += len(run)
                closed, extent = figures[id(run)]
                if closed:
                    out.closed[key] += closed
                    if top:
                        out.extent[key] = max(out.extent.get(key, 0.0), extent)
                continue
            try:
                layer = e.dxf.get("layer", "0")
                if parent_layer is not None and layer == "0":
                    layer = parent_layer
                dxftype = e.dxftype()
                key = out.key(layer)
            except Exception:  # the reader names damaged entities; here they are not counted
                continue
            out.counts[key][dxftype] += 1
            try:
                if dxftype in _TEXT_TYPES:
                    out.add_text(key, e.plain_text() if dxftype == "MTEXT" else e.dxf.get("text", ""))
                elif _is_closed(e, dxftype):
                    out.closed[key] += 1
                    if top:
                        out.extent[key] = max(out.extent.get(key, 0.0), _extent(e, dxftype))
                elif dxftype == "INSERT" and key not in self.hidden:
                    self._insert(e, layer, stack, out)
            except Exception:  # a damaged entity: counted by type only
                continue
        return out

    def _insert(self, ins, layer: str, stack: tuple[str, ...], out: _Tally) -> None:
        name = ins.dxf.get("name", "")
        block = self.doc.blocks.get(name)
        if block is None or name in stack or len(stack) >= MAX_BLOCK_DEPTH:
            return
        if block.block is not None and block.block.is_xref:
            return
        key = (name, layer)
        inner = self.memo.get(key)
        if inner is None:
            inner = self.tally(block, layer, stack + (name,), False)
            self.memo[key] = inner
        out.merge(inner, max(int(ins.mcount), 1))


def survey_layers(doc, roles: LayerRoles) -> Survey:
    """Every layer of ``doc`` (the layer table's and those only entities name), classified by ``roles``."""
    hidden: set[str] = set()
    table_names: dict[str, str] = {}
    for layer in doc.layers:
        try:
            name = layer.dxf.name
            table_names.setdefault(name.casefold(), name)
            if layer.is_off() or layer.is_frozen():
                hidden.add(name.casefold())
        except Exception:  # a damaged layer record: the reader treats it as visible
            continue
    tally = _Counter(doc, hidden).tally(doc.modelspace(), None, (), True)
    keys = sorted(set(table_names) | set(tally.counts))
    layers = []
    for key in keys:
        info = LayerInfo(table_names[key] if key in table_names else tally.names[key], Counter(tally.counts.get(key, {})),
                         tally.closed[key], tally.text_count[key], list(tally.texts.get(key, [])),
                         tally.extent.get(key, 0.0), key in hidden)
        layers.append(info)
    layers.sort(key=lambda x: x.name)
    _classify(layers, roles)
    return Survey(layers, strict=not roles.infers)


def _classify(layers: list[LayerInfo], roles: LayerRoles) -> None:
    """Set each layer's role and match (see the module docstring)."""
    candidates: dict[str, list[LayerInfo]] = {}
    claimed: set[str] = set()
    for x in layers:
        role, how = roles.named_role(x.name)
        if role is not None:
            x.role, x.match = role, how
            if x.entities and not x.hidden:
                claimed.add(role)
            continue
        x.inference = roles.infer(x.name)
        if x.inference is None:
            continue
        if x.inference.role is None:
            x.match = "known"
        elif x.hidden:
            x.match = "hidden"
        elif not x.entities:
            x.match = "none"  # an empty layer: nothing to read, no candidate
        elif not roles.infers:
            x.match = "strict"
        else:
            candidates.setdefault(x.inference.role, []).append(x)
    for role, found in candidates.items():
        usable = len(found) == 1 and role not in claimed
        for x in found:
            x.match = "inferred" if usable else "ambiguous"
            x.role = role if usable else None


# -- notes for the report -------------------------------------------------------------------------------------
def note_roles(survey: Survey, note: Callable[..., None]) -> None:
    """The ``qa`` notes of a survey: inferences used, ambiguous ones, layers with content and no role."""
    for x in survey.layers:
        if x.match == "inferred":
            note("layer-inferred", f"layer {x.name} is read as {_role_words(x.role)} ({x.role}): {x.inference.how()}; "
                 f"to make it exact add [layers] {x.role} = [{_toml_string(x.name)}] to drawcheck.toml, or pass "
                 "--strict-layers to read exact names only", severity="info")
    for role, found in sorted(survey.ambiguous().items()):
        names = ", ".join(f"{x.name} ({x.inference.how()})" for x in found)
        others = survey.claimed_by(role)
        what = f"{_role_words(role)} ({role})"
        if others:
            head = (f"layer {', '.join(o.name for o in others)} {'is' if len(others) == 1 else 'are'} {what} by name, "
                    f"so {'this layer is' if len(found) == 1 else 'these layers are'} not read as {role} although "
                    f"named like it: {names}")
        else:
            head = f"{len(found)} layers could each be {what} by name, so none is read as {role}: {names}"
        pick = "the right one" if role == "site" else "the right ones"
        note("layer-ambiguous", f"{head}; name {pick} in drawcheck.toml, e.g. [layers] {role} = "
             f"[{_toml_string(found[0].name)}]", severity="warning")
    rest = survey.unmatched()
    if rest:
        listed = "; ".join(f"{x.name} ({x.content()})" for x in rest[:MAX_LISTED])
        if len(rest) > MAX_LISTED:
            listed += f"; and {len(rest) - MAX_LISTED} more"
        note("unmatched-layers", f"{len(rest)} layer{'s' if len(rest) != 1 else ''} with closed outlines or texts "
             f"match{'es' if len(rest) == 1 else ''} no role and {'were' if len(rest) != 1 else 'was'} not read: "
             f"{listed}; give {'them' if len(rest) != 1 else 'it'} a role in drawcheck.toml [layers] "
             "(drawcheck layers PATH prints a ready table)", severity="info")


def site_hint_text(survey: Survey) -> str | None:
    """A sentence naming the layer most likely to hold the site boundary, with its ``[layers]`` line, or None."""
    x = survey.site_hint()
    if x is None:
        return None
    return (f"most likely site layer: {x.name} ({x.content()}); if it is the site boundary, add "
            f"[layers] site = [{_toml_string(x.name)}] to drawcheck.toml (drawcheck layers PATH lists every layer)")


_ROLE_WORDS = {
    "site": "the site boundary", "road": "road red lines", "building": "building outlines",
    "retained": "retained buildings", "existing": "existing neighbours", "basement": "basement outlines",
    "civil_defense": "civil-defense areas", "green": "green areas", "green_central": "central green",
    "parking": "parking spaces", "window": "window lines", "fire_lane": "fire lanes",
    "fire_rescue": "fire rescue sites", "indicators": "the indicators table",
}


def _role_words(role: str) -> str:
    return _ROLE_WORDS.get(role, role.replace("_", " "))


# -- drawcheck layers -----------------------------------------------------------------------------------------
@dataclass
class InputSurvey:
    """One input of a submission: its survey, or why it has none (an IFC model has no layers)."""

    path: str
    survey: Survey | None
    skipped: str | None = None

    def as_dict(self) -> dict:
        out = {"path": self.path, "skipped": self.skipped}
        out.update(self.survey.as_dict() if self.survey is not None else {"strict": None, "layers": [], "snippet": None})
        return out


def survey_submission(path, strict: bool = False) -> list[InputSurvey]:
    """The layer survey of every DXF input of a submission (a drawing, or a folder with drawcheck.toml).

    Roles come from the manifest's ``[layers]``; ``strict`` as ``--strict-layers``.
    Raises ``ReadError`` / ``ManifestError`` (one line) when the submission cannot be read.
    """
    from ..pipeline import open_submission
    from .dxf_load import load_dxf
    from .files import ReadError, check_readable, sniff

    manifest = open_submission(path)
    roles = LayerRoles(manifest.layers, manifest.layers_replace, strict=strict or manifest.layers_strict)
    out = []
    for spec in manifest.inputs:
        file = manifest.root / spec.path
        name = spec.path.replace("\\", "/")
        if not file.is_file():
            raise ReadError(f"{spec.path}: no such file")
        kind = sniff(file)
        if kind in ("ifc", "zip") or file.suffix.lower() in (".ifc", ".ifczip"):
            out.append(InputSurvey(name, None, "an IFC model: its elements have classes, not layers"))
            continue
        check_readable(file, manifest.limits.max_bytes)
        try:
            doc = load_dxf(file).doc
        except ReadError as exc:
            raise ReadError(f"{name}: {exc}") from None
        out.append(InputSurvey(name, survey_layers(doc, roles)))
    return out


def to_json(surveys: list[InputSurvey]) -> str:
    """The surveys as JSON (sorted keys, UTF-8 text)."""
    return json.dumps({"inputs": [s.as_dict() for s in surveys]}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_text(surveys: list[InputSurvey]) -> str:
    """The surveys as plain text: per input a table of layers, then its ``[layers]`` snippet."""
    blocks = []
    for s in surveys:
        if s.survey is None:
            blocks.append(f"{s.path}: skipped ({s.skipped})\n")
            continue
        rows = [("layer", "role", "match", "entities", "closed", "texts")]
        for x in s.survey.layers:
            role = x.role or (f"({x.suggested}?)" if x.suggested else (f"({x.inference.known})" if x.match == "known" else "-"))
            counts = " ".join(f"{t}:{n}" for t, n in sorted(x.counts.items())) or "-"
            texts = " | ".join(x.texts) + (" …" if x.text_count > len(x.texts) else "")
            rows.append((clean_text(x.name) + (" [off]" if x.hidden else ""), role, x.match, counts, str(x.closed),
                         texts or "-"))
        widths = [max(_width(r[i]) for r in rows) for i in range(5)]
        lines = [f"{s.path}" + ("  (strict: exact names only)" if s.survey.strict else "")]
        for r in rows:
            lines.append("  " + "  ".join(_pad(c, w) for c, w in zip(r[:5], widths)) + "  " + r[5])
        lines += ["", "  [layers] for drawcheck.toml:", *("    " + ln for ln in s.survey.snippet().splitlines()), ""]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
