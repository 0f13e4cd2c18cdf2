"""The site plan as SVG, drawn from a report's ``plan`` section and its findings' locations.

Coordinates are metres in the drawing's frame (report-json.md); the SVG flips
Y so that the drawing's +Y (north) points up the page. Every finding with a
location gets a numbered marker (``<g id="marker-F0003">``) there; a
LineString location also gets a dimension line between its two nearest points
labelled with the finding's measured value. Nothing is recomputed: the outlines
and numbers are the report's. All text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

#: Drawing area in px; the plan is scaled to fit it, keeping its aspect.
WIDTH = 1000
MAX_HEIGHT = 900
PAD = 50  # px around the outlines, room for markers at the edge
MARKER_R = 15  # px: the circle holding a finding id like F0003
MARKER_GAP = 2 * MARKER_R + 4  # px between markers stacked at one location
MARKERS_PER_ROW = 6
SEVERITY_COLOUR = {"error": "#c62828", "warning": "#e65100", "info": "#1565c0"}
_UNIT = {"m2": "m²", "m": "m", "ratio": "", "count": "", "min": "min"}


def format_quantity(value, unit: str | None) -> str:
    """A reported number with its unit, as written (no further rounding beyond the report's).

    Lengths show at least 2 and at most 3 decimals, areas 2, ratios 4, counts
    and minutes as integers; ``None`` gives an em dash.
    """
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value} {unit or ''}".strip()
    if unit == "count" or (unit == "min" and float(value).is_integer()):
        text = f"{int(value):,}"
    elif unit == "ratio":
        text = f"{value:.4f}"
    elif unit == "m2":
        text = f"{value:,.2f}"
    elif unit == "m":
        text = f"{value:,.3f}"
        if text.endswith("0"):
            text = text[:-1]
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
    suffix = _UNIT.get(unit or "", unit or "")
    return f"{text} {suffix}".strip()


def _f(v: float) -> str:
    """px with one decimal, never '-0.0' (byte-stable output)."""
    text = f"{v:.1f}"
    return "0.0" if text == "-0.0" else text


class _Frame:
    """World metres -> SVG px (Y flipped)."""

    def __init__(self, points: Sequence[Sequence[float]]):
        xs = [p[0] for p in points] or [0.0]
        ys = [p[1] for p in points] or [0.0]
        self.x0, self.x1, self.y0, self.y1 = min(xs), max(xs), min(ys), max(ys)
        dx, dy = max(self.x1 - self.x0, 1.0), max(self.y1 - self.y0, 1.0)
        self.scale = min(WIDTH / dx, MAX_HEIGHT / dy)  # px per metre
        self.width = round(dx * self.scale + 2 * PAD)
        self.plan_height = round(dy * self.scale + 2 * PAD)
        self.height = self.plan_height  # plus the legend, set once it is laid out

    def __call__(self, p: Sequence[float]) -> tuple[float, float]:
        return PAD + (p[0] - self.x0) * self.scale, PAD + (self.y1 - p[1]) * self.scale

    def pts(self, ring: Iterable[Sequence[float]]) -> str:
        return " ".join(f"{_f(x)},{_f(y)}" for x, y in map(self, ring))


def _polygon_path(frame: _Frame, rings: Sequence[Sequence[Sequence[float]]]) -> str:
    """One SVG path for a polygon (exterior + holes, even-odd fill)."""
    parts = []
    for ring in rings:
        if len(ring) < 2:
            continue
        xy = [frame(p) for p in ring]
        parts.append("M" + " L".join(f"{_f(x)},{_f(y)}" for x, y in xy) + " Z")
    return " ".join(parts)


def _ring_area_centroid(ring: Sequence[Sequence[float]]) -> tuple[float, tuple[float, float]]:
    """|area| and centroid of a ring, only to place a label (falls back to the vertex mean)."""
    a = cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        (x0, y0), (x1, y1) = ring[i][:2], ring[(i + 1) % n][:2]
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if abs(a) < 1e-12:
        mean = (sum(p[0] for p in ring) / max(n, 1), sum(p[1] for p in ring) / max(n, 1))
        return 0.0, mean
    return abs(a) / 2, (cx / (3 * a), cy / (3 * a))


def _all_points(plan: dict, findings: Sequence[dict]) -> list[Sequence[float]]:
    pts: list[Sequence[float]] = []
    for group in ("site", "green", "basements"):
        for poly in plan.get(group) or []:
            for ring in poly:
                pts.extend(ring)
    for b in plan.get("buildings") or []:
        for poly in b.get("parts") or []:
            for ring in poly:
                pts.extend(ring)
    for line in plan.get("roads") or []:
        pts.extend(line)
    for f in findings:
        pts.extend(_location_points(f.get("location")))
    return [p for p in pts if len(p) >= 2 and all(math.isfinite(v) for v in p[:2])]


def _location_points(loc: dict | None) -> list[Sequence[float]]:
    """A GeoJSON Point / LineString location's finite points (none: the finding gets no marker)."""
    if not loc or not loc.get("coordinates"):
        return []
    pts = [loc["coordinates"]] if loc.get("type") == "Point" else list(loc["coordinates"])
    ok = all(len(p) >= 2 and all(isinstance(v, (int, float)) and math.isfinite(v) for v in p[:2]) for p in pts)
    return pts if ok else []


def _nice_length(target: float) -> float:
    """The largest of 1, 2, 5 x 10^k metres not above ``target``."""
    if target <= 0:
        return 1.0
    k = math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * 10 ** k <= target:
            return float(m * 10 ** k)
    return float(10 ** k)


def _scale_bar(frame: _Frame) -> list[str]:
    length = _nice_length((frame.width - 2 * PAD) / frame.scale / 5)
    px = length * frame.scale
    x, y = 12.0, frame.plan_height - 18.0
    half = px / 2
    label = f"{length:g} m"
    return [
        '<g class="scale-bar" font-size="11">',
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(half)}" height="5" fill="#212121" stroke="#212121"/>',
        f'<rect x="{_f(x + half)}" y="{_f(y)}" width="{_f(half)}" height="5" fill="#ffffff" stroke="#212121"/>',
        f'<text x="{_f(x)}" y="{_f(y - 4)}">0</text>',
        f'<text x="{_f(x + px)}" y="{_f(y - 4)}" text-anchor="middle">{escape(label)}</text>',
        "</g>",
    ]


def _north_arrow(frame: _Frame) -> list[str]:
    cx, top = frame.width - 26.0, 10.0
    return [
        '<g class="north-arrow">',
        f'<path d="M{_f(cx)},{_f(top + 4)} L{_f(cx + 8)},{_f(top + 30)} L{_f(cx)},{_f(top + 24)} '
        f'L{_f(cx - 8)},{_f(top + 30)} Z" fill="#212121"/>',
        f'<text x="{_f(cx)}" y="{_f(top + 44)}" text-anchor="middle" font-size="11" font-weight="bold">N 北</text>',
        "</g>",
    ]


_LEGEND = (
    ('<path d="M0,6 L26,6" stroke="#d32f2f" stroke-width="2" stroke-dasharray="10 3 2 3"/>', "用地红线 site"),
    ('<rect x="0" y="0" width="26" height="12" fill="#cfd8dc" stroke="#37474f"/>', "新建 new building"),
    ('<rect x="0" y="0" width="26" height="12" fill="#f5f5f5" stroke="#757575" stroke-dasharray="4 2"/>',
     "现状 existing"),
    ('<path d="M0,6 L26,6" stroke="#ad1457" stroke-width="2"/>', "道路红线 road"),
    ('<rect x="0" y="0" width="26" height="12" fill="#c8e6c9" stroke="#43a047"/>', "绿地 green"),
    ('<rect x="0" y="0" width="26" height="12" fill="none" stroke="#6d4c41" stroke-dasharray="2 2"/>',
     "地下室 basement"),
    (f'<circle cx="8" cy="6" r="7" fill="#ffffff" stroke="{SEVERITY_COLOUR["error"]}" stroke-width="2"/>',
     "问题编号 finding"),
)
LEGEND_ROW = 20  # px


def _text_width(text: str, size: float = 11) -> float:
    """A generous estimate (CJK full width, Latin ~0.6 em) to lay the legend out without a font."""
    return sum(size if ord(c) > 0x2E80 else size * 0.62 for c in text)


def _legend_layout(width: int, legend=_LEGEND) -> list[tuple[float, int]]:
    """(x, row) of each legend item, wrapping at the SVG's width."""
    x, row, out = 12.0, 0, []
    for _, label in legend:
        w = 40 + _text_width(label)
        if x > 12.0 and x + w > width - 12:
            x, row = 12.0, row + 1
        out.append((x, row))
        x += w + 8
    return out


def _legend(frame: _Frame, layout: list[tuple[float, int]], legend=_LEGEND) -> list[str]:
    out = ['<g class="legend" font-size="11">']
    for (swatch, label), (x, row) in zip(legend, layout):
        y = frame.plan_height + 8.0 + row * LEGEND_ROW
        out.append(f'<g transform="translate({_f(x)},{_f(y)})">{swatch}'
                   f'<text x="32" y="10">{escape(label)}</text></g>')
    out.append("</g>")
    return out


def _marker(fid: str, severity: str, at: tuple[float, float], anchor: tuple[float, float], title: str,
            link: bool) -> str:
    colour = SEVERITY_COLOUR.get(severity, "#424242")
    x, y = at
    body = []
    if math.dist(at, anchor) > MARKER_R:
        body.append(f'<line x1="{_f(anchor[0])}" y1="{_f(anchor[1])}" x2="{_f(x)}" y2="{_f(y)}" '
                    f'stroke="{colour}" stroke-width="1"/>')
        body.append(f'<circle cx="{_f(anchor[0])}" cy="{_f(anchor[1])}" r="2.5" fill="{colour}"/>')
    body.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{MARKER_R}" fill="#ffffff" stroke="{colour}" '
                f'stroke-width="2"/>')
    body.append(f'<text x="{_f(x)}" y="{_f(y + 3)}" text-anchor="middle" font-size="8.5" font-weight="bold" '
                f'fill="{colour}">{escape(fid)}</text>')
    inner = f"<title>{escape(title)}</title>" + "".join(body)
    if link:
        inner = f'<a href="#{escape(fid)}">{inner}</a>'
    return (f'<g id="marker-{escape(fid)}" class="marker sev-{escape(severity)}" '
            f'data-finding="{escape(fid)}">{inner}</g>')


def _dimension(a: tuple[float, float], b: tuple[float, float], label: str, colour: str,
               normal: tuple[float, float]) -> list[str]:
    """A dimension line a-b with slash ticks at both ends and its label beside the middle."""
    out = [f'<line x1="{_f(a[0])}" y1="{_f(a[1])}" x2="{_f(b[0])}" y2="{_f(b[1])}" stroke="{colour}" '
           f'stroke-width="1.5"/>']
    d = math.dist(a, b)
    if d > 1e-6:
        ux, uy = (b[0] - a[0]) / d, (b[1] - a[1]) / d
        tx, ty = (ux + normal[0]) * 4, (uy + normal[1]) * 4  # 45° architectural tick
        for px, py in (a, b):
            out.append(f'<line x1="{_f(px - tx)}" y1="{_f(py - ty)}" x2="{_f(px + tx)}" y2="{_f(py + ty)}" '
                       f'stroke="{colour}" stroke-width="1.5"/>')
    if label:  # on the side away from the markers
        if abs(normal[0]) > abs(normal[1]):  # a steep line: the label beside it, reading away from it
            anchor = "end" if normal[0] > 0 else "start"
            mx, my = (a[0] + b[0]) / 2 - normal[0] * 7, (a[1] + b[1]) / 2 + 4
        else:
            anchor = "middle"
            mx, my = (a[0] + b[0]) / 2 - normal[0] * 12, (a[1] + b[1]) / 2 - normal[1] * 12 + 4
        out.append(f'<text class="dim-label" x="{_f(mx)}" y="{_f(my)}" text-anchor="{anchor}" font-size="11" '
                   f'font-weight="bold" fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                   f'{escape(label)}</text>')
    return out


def _findings_layer(frame: _Frame, findings: Sequence[dict], link_ids: set[str] | None) -> list[str]:
    # Findings sharing one location (several rules flag the same fact) share its dimension line.
    groups: dict[tuple, list[dict]] = {}
    for f in findings:
        pts = _location_points(f.get("location"))
        if not pts:
            continue
        key = (f["location"].get("type"), tuple((round(p[0], 2), round(p[1], 2)) for p in pts))
        groups.setdefault(key, []).append(f)
    dims = []
    # Markers of locations closer than a marker on the page (one window's floors, say) form one
    # cluster, laid out in rows away from the first location; each keeps a leader to its own spot.
    clusters: list[dict] = []
    for (kind, pts), rows in sorted(groups.items(), key=lambda kv: min(r["id"] for r in kv[1])):
        rows = sorted(rows, key=lambda r: r["id"])
        colour = SEVERITY_COLOUR.get(rows[0].get("severity", ""), "#424242")
        xy = [frame(p) for p in pts]
        if kind == "LineString" and len(xy) >= 2:
            a, b = xy[0], xy[-1]
            d = math.dist(a, b)
            normal = (-(b[1] - a[1]) / d, (b[0] - a[0]) / d) if d > 1e-6 else (0.0, -1.0)
            if normal[1] > 0 or (normal[1] == 0 and normal[0] < 0):
                normal = (-normal[0], -normal[1])  # markers go up / right of the line
            labels = list(dict.fromkeys(format_quantity(r["measured"], r.get("unit"))
                                        for r in rows if r.get("measured") is not None))
            dims.append('<g class="dimension">')
            dims.extend(_dimension(a, b, " / ".join(labels), colour, normal))
            dims.append("</g>")
            anchor = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        else:
            anchor, normal = xy[0], (0.0, -1.0)
        for c in clusters:
            if math.dist(c["anchor"], anchor) < MARKER_GAP:
                c["items"].extend((r, anchor) for r in rows)
                break
        else:
            clusters.append({"anchor": anchor, "normal": normal, "items": [(r, anchor) for r in rows]})
    markers = []
    for c in clusters:
        (ax, ay), (nx, ny) = c["anchor"], c["normal"]
        tx, ty = -ny, nx  # along the line: a row of markers
        c["items"].sort(key=lambda item: item[0]["id"])
        n = len(c["items"])
        cols = min(n, MARKERS_PER_ROW)
        for i, (r, own) in enumerate(c["items"]):
            row, col = divmod(i, cols)
            in_row = min(cols, n - row * cols)
            along = (col - (in_row - 1) / 2) * MARKER_GAP
            away = MARKER_R + 10 + row * MARKER_GAP
            x = min(max(ax + tx * along + nx * away, MARKER_R + 2), frame.width - MARKER_R - 2)
            y = min(max(ay + ty * along + ny * away, MARKER_R + 2), frame.plan_height - MARKER_R - 2)
            title = f"{r['id']} {r.get('rule', '')}: {r.get('message', '')}"
            markers.append(_marker(r["id"], r.get("severity", ""), (x, y), own, title,
                                   link_ids is None or r["id"] in link_ids))
    return dims + markers


def plan_svg(report: dict, *, link_ids: set[str] | None = None, overlays: Sequence[dict] = ()) -> str:
    """The report's site plan with its findings marked, as one ``<svg>`` element (text).

    Parameters
    ----------
    report : the report dictionary (schema ``drawcheck/report@1``); reads ``plan`` and ``findings``.
    link_ids : finding ids whose markers link to ``#ID`` in the page (default: all).
    overlays : filled areas drawn under the buildings, each ``{"label", "fill", "stroke", "polygons"}``
        (polygons as ring lists of ``[x, y]`` in metres) and listed in the legend (the envelope's zones).

    Returns an empty-plan notice inside the SVG when the report has no outlines.
    """
    plan = report.get("plan") or {}
    findings = report.get("findings") or []
    frame = _Frame(_all_points(plan, findings))
    legend = _LEGEND + tuple((f'<rect x="0" y="0" width="26" height="12" fill="{o["fill"]}" fill-opacity="0.55" '
                              f'stroke="{o["stroke"]}"/>', o["label"]) for o in overlays)
    layout = _legend_layout(frame.width, legend)
    frame.height = frame.plan_height + 16 + LEGEND_ROW * (1 + max(row for _, row in layout))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plan" id="site-plan" width="{frame.width}" '
           f'height="{frame.height}" viewBox="0 0 {frame.width} {frame.height}" role="img" '
           f'aria-label="site plan 总平面图">',
           f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#ffffff"/>']
    out.append('<g class="green">')
    for poly in plan.get("green") or []:
        out.append(f'<path d="{_polygon_path(frame, poly)}" fill="#c8e6c9" stroke="#43a047" stroke-width="0.8" '
                   'fill-rule="evenodd"/>')
    out.append("</g>")
    out.append('<g class="roads">')
    for line in plan.get("roads") or []:
        if len(line) >= 2:
            out.append(f'<polyline points="{frame.pts(line)}" fill="none" stroke="#ad1457" stroke-width="2"/>')
    out.append("</g>")
    for o in overlays:  # nothing at all without overlays: the check's reports stay byte for byte
        out.append(f'<g class="overlay" data-label="{escape(o["label"])}">')
        for poly in o["polygons"]:
            out.append(f'<path d="{_polygon_path(frame, poly)}" fill="{o["fill"]}" fill-opacity="0.55" '
                       f'stroke="{o["stroke"]}" stroke-width="1" fill-rule="evenodd"/>')
        out.append("</g>")
    out.append('<g class="site">')
    for poly in plan.get("site") or []:
        out.append(f'<path d="{_polygon_path(frame, poly)}" fill="none" stroke="#d32f2f" stroke-width="2" '
                   'stroke-dasharray="12 3 2 3" fill-rule="evenodd"/>')
    out.append("</g>")
    out.append('<g class="buildings">')
    labels = []
    for b in plan.get("buildings") or []:
        existing = b.get("kind") == "existing"
        style = ('fill="#f5f5f5" stroke="#757575" stroke-dasharray="5 3"' if existing
                 else 'fill="#cfd8dc" fill-opacity="0.85" stroke="#37474f"')
        bid = str(b.get("id", ""))
        out.append(f'<g class="building {"existing" if existing else "new"}" data-building="{escape(bid)}">')
        best = None
        for poly in b.get("parts") or []:
            if not poly:
                continue
            out.append(f'<path d="{_polygon_path(frame, poly)}" {style} stroke-width="1.2" fill-rule="evenodd"/>')
            area, centre = _ring_area_centroid(poly[0])
            if best is None or area > best[0]:
                best = (area, centre)
        out.append("</g>")
        if best is not None:
            x, y = frame(best[1])
            labels.append(f'<text x="{_f(x)}" y="{_f(y + 4)}" text-anchor="middle" font-size="12" '
                          f'font-weight="bold" fill="{"#616161" if existing else "#263238"}">{escape(bid)}</text>')
    out.append("</g>")
    out.append('<g class="basements">')
    for poly in plan.get("basements") or []:
        out.append(f'<path d="{_polygon_path(frame, poly)}" fill="none" stroke="#6d4c41" stroke-width="1" '
                   'stroke-dasharray="2 2" fill-rule="evenodd"/>')
    out.append("</g>")
    out.append('<g class="labels">' + "".join(labels) + "</g>")
    if not _all_points(plan, []):
        out.append(f'<text x="{frame.width / 2:.1f}" y="{PAD}" text-anchor="middle" font-size="14" fill="#757575">'
                   "no plan outlines in this report 报告中无总平面轮廓</text>")
    out.append('<g class="findings">')
    out.extend(_findings_layer(frame, findings, link_ids))
    out.append("</g>")
    out.extend(_scale_bar(frame))
    out.extend(_north_arrow(frame))
    out.extend(_legend(frame, layout, legend))
    out.append("</svg>")
    return "\n".join(out)
