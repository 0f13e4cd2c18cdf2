"""A sunlight-hours map as SVG: the site, its buildings and every facade test point coloured by its hours.

Points of all floors stack in plan; each plan position shows its worst
floor. Colours run from red (no sun) through amber to green (at or above the
requirement). The drawing's +Y points up the page; a north arrow shows true
north from the manifest's ``north_angle``, a scale bar a round length in
metres, and a legend what each colour and outline means. Each building is
named once, on its largest part. Text from the drawing is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from html import escape

import numpy as np

from .study import Study

TOP = 64.0  # px above the plan: the title and the north arrow
PAD = 16.0  # px around the plan
LEGEND_ROW = 20.0  # px
LABEL_SIZE = 11.0  # px
SITE_COLOUR = "#d32f2f"
_LEGEND_SWATCH = 26.0  # px


def _colour(minutes: float, required: float) -> str:
    if minutes >= required:
        return "#2e7d32"
    share = max(0.0, min(1.0, minutes / required)) if required > 0 else 1.0
    red, green = 211, int(47 + share * 160)
    return f"#{red:02x}{green:02x}2f"


def _f(v: float) -> str:
    """px with one decimal, never '-0.0' (byte-stable output)."""
    text = f"{v:.1f}"
    return "0.0" if text == "-0.0" else text


def _text_width(text: str, size: float = LABEL_SIZE) -> float:
    """A generous width estimate (CJK full width, Latin ~0.62 em): lays text out without a font."""
    return sum(size if ord(c) > 0x2E80 else size * 0.62 for c in text)


def scale_length(metres_across: float) -> float:
    """A round length (1, 2 or 5 x 10^k m) about a fifth of ``metres_across``, for the scale bar."""
    target = max(metres_across / 5.0, 1e-9)
    power = 10.0 ** math.floor(math.log10(target))
    return max(step * power for step in (1.0, 2.0, 5.0) if step * power <= target)


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, tuple[float, float]]:
    """|area| (m²) and centroid of a closed or open ring of (n, 2) metres; the vertex mean if it has no area."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2.0
    if abs(area) < 1e-9:
        return 0.0, (float(x.mean()), float(y.mean()))
    return abs(area), (float(((x + x1) * cross).sum() / (6 * area)), float(((y + y1) * cross).sum() / (6 * area)))


def _legend(required: float) -> list[tuple[str, str]]:
    """(swatch SVG at 0,0 in a 26 x 12 box, label) of every mark on the map."""
    need = f"{required:.0f}"
    return [
        (f'<circle cx="13" cy="6" r="4" fill="{_colour(required, required)}"/>', f"≥ {need} min 满足 meets"),
        (f'<circle cx="13" cy="6" r="4" fill="{_colour(required / 2, required)}"/>',
         f"{required / 2:.0f} min 不足 below"),
        (f'<circle cx="13" cy="6" r="4" fill="{_colour(0.0, required)}"/>', "0 min 无日照 no sun"),
        (f'<path d="M0,6 L26,6" stroke="{SITE_COLOUR}" stroke-width="2" stroke-dasharray="10 3 2 3"/>',
         "用地红线 site"),
        ('<rect x="0" y="0" width="26" height="12" fill="#eceff1" stroke="#455a64"/>', "新建 new building"),
        ('<rect x="0" y="0" width="26" height="12" fill="#fafafa" stroke="#9e9e9e" stroke-dasharray="4 2"/>',
         "现状 existing"),
    ]


def _legend_layout(labels: Sequence[str], width: float) -> list[tuple[float, int]]:
    """(x, row) of each legend item, wrapping at ``width``."""
    x, row, out = PAD, 0, []
    for label in labels:
        w = _LEGEND_SWATCH + 8 + _text_width(label) + 12
        if x > PAD and x + w > width - PAD:
            x, row = PAD, row + 1
        out.append((x, row))
        x += w
    return out


def _north_arrow(cx: float, cy: float, north_angle: float) -> list[str]:
    """True north is the drawing direction (-sin a, cos a): on the page, +Y rotated by a counter-clockwise."""
    r = 18.0
    return [
        f'<g class="north-arrow" data-north-angle="{north_angle:g}">',
        f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r + 2)}" fill="#ffffff" stroke="#9e9e9e"/>',
        f'<g transform="rotate({-north_angle:g} {_f(cx)} {_f(cy)})">',
        f'<path d="M{_f(cx)},{_f(cy - r)} L{_f(cx + 7)},{_f(cy + r)} L{_f(cx)},{_f(cy + r - 7)} '
        f'L{_f(cx - 7)},{_f(cy + r)} Z" fill="#212121"/>',
        f'<circle class="tip" cx="{_f(cx)}" cy="{_f(cy - r)}" r="1" fill="#212121"/>',
        f'<circle class="base" cx="{_f(cx)}" cy="{_f(cy + r)}" r="1" fill="#212121"/>',
        "</g>",
        f'<text x="{_f(cx - r - 6)}" y="{_f(cy + 4)}" text-anchor="end" font-size="11" font-weight="bold">北 N</text>',
        "</g>",
    ]


def _place_labels(labels: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Move a label down (then up) by its height until its box clears the labels placed before it."""
    placed: list[tuple[str, float, float]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for name, x, y in labels:
        w, h = _text_width(name) + 4, LABEL_SIZE + 3
        for k in range(0, 41):
            dy = (k + 1) // 2 * h * (1 if k % 2 else -1)
            box = (x - w / 2, y + dy - h + 2, x + w / 2, y + dy + 2)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                break
        boxes.append(box)
        placed.append((name, x, y + dy))
    return placed


def sunlight_svg(study: Study, outlines: list[tuple[str, np.ndarray]], required: float, title: str,
                 width: int = 900, *, site: Sequence[np.ndarray] = (), north_angle: float = 0.0,
                 existing: Collection[str] = ()) -> str:
    """SVG text of the map.

    Parameters
    ----------
    study : Study
        Its windows' longest continuous sunlight, minutes, colours the points.
    outlines : list of (building id, (n, 2) array, m)
        Every part of every building; a building with several parts is named once.
    required : float
        Minutes that meet the standard (green).
    title : str
        The first line (escaped).
    width : int
        px.
    site : sequence of (n, 2) arrays, m
        The site boundary (用地红线) rings, drawn dashed red.
    north_angle : float
        The manifest's ``[site] north_angle``: degrees from the drawing's +Y to true north, counter-clockwise.
    existing : ids of existing (neighbouring) buildings, drawn dashed.
    """
    rings = [np.asarray(o, dtype=float) for _, o in outlines] + [np.asarray(s, dtype=float) for s in site]
    pts = [r for r in rings if len(r)] + ([study.points.xyz[:, :2]] if len(study.points) else [])
    xy = np.vstack(pts) if pts else np.zeros((1, 2))
    lo, hi = xy.min(axis=0) - 5.0, xy.max(axis=0) + 5.0
    scale = (width - 2 * PAD) / max(hi[0] - lo[0], 1e-9)  # px per m
    plan_h = (hi[1] - lo[1]) * scale

    def pt(x, y):
        return PAD + (x - lo[0]) * scale, TOP + (hi[1] - y) * scale

    legend = _legend(required)
    layout = _legend_layout([label for _, label in legend], width)
    bar_y = TOP + plan_h + PAD + 14
    legend_y = bar_y + 20
    height = int(math.ceil(legend_y + (max(row for _, row in layout) + 1) * LEGEND_ROW + PAD / 2))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, Microsoft YaHei, WenQuanYi Micro Hei, '
             f'sans-serif">',
             "<style>@media print { :root { width: 100%; height: auto; } }</style>",
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text class="title" x="{_f(PAD)}" y="24" font-size="14">{escape(title)}</text>']
    parts += _north_arrow(width - PAD - 24, TOP / 2 + 2, north_angle)
    for ring in site:
        points = " ".join("{},{}".format(*map(_f, pt(x, y))) for x, y in np.asarray(ring, dtype=float))
        parts.append(f'<polygon class="site" points="{points}" fill="none" stroke="{SITE_COLOUR}" '
                     f'stroke-width="1.5" stroke-dasharray="10 3 2 3"/>')
    best: dict[str, tuple[float, tuple[float, float]]] = {}
    for name, ring in outlines:
        ring = np.asarray(ring, dtype=float)
        points = " ".join("{},{}".format(*map(_f, pt(x, y))) for x, y in ring)
        style = ('fill="#fafafa" stroke="#9e9e9e" stroke-dasharray="4 2"' if name in existing
                 else 'fill="#eceff1" stroke="#455a64"')
        parts.append(f'<polygon class="part" data-building="{escape(name)}" points="{points}" {style} '
                     f'stroke-width="1"/>')
        area, centre = _ring_area_centroid(ring)
        if name not in best or area > best[name][0]:
            best[name] = (area, centre)
    worst: dict[tuple[float, float], float] = {}
    for w in study.windows:
        key = (round(w.point[0], 2), round(w.point[1], 2))
        worst[key] = min(worst.get(key, np.inf), w.hours.longest)
    for (x, y), minutes in sorted(worst.items()):
        px, py = pt(x, y)
        parts.append(f'<circle cx="{_f(px)}" cy="{_f(py)}" r="1.6" fill="{_colour(minutes, required)}">'
                     f'<title>{minutes:.0f} min</title></circle>')
    labels = [(name, *pt(*centre)) for name, (_, centre) in best.items()]
    labels = [(n, x, y + LABEL_SIZE / 2 - 1) for n, x, y in labels]
    for name, x, y in _place_labels(labels):
        parts.append(f'<text class="label" x="{_f(x)}" y="{_f(y)}" font-size="{LABEL_SIZE:g}" text-anchor="middle" '
                     f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(name)}</text>')
    metres = scale_length((width - 2 * PAD) / scale)
    bar = metres * scale
    parts += [f'<g class="scale-bar" data-metres="{metres:g}" font-size="11">',
              f'<rect class="bar" x="{_f(PAD)}" y="{_f(bar_y)}" width="{_f(bar)}" height="5" fill="#212121"/>',
              f'<text x="{_f(PAD + bar + 6)}" y="{_f(bar_y + 6)}">{metres:g} m</text>', "</g>"]
    parts.append(f'<g class="legend" font-size="11" transform="translate(0 {_f(legend_y)})">')
    for (swatch, label), (x, row) in zip(legend, layout):
        y = row * LEGEND_ROW
        parts.append(f'<g transform="translate({_f(x)} {_f(y)})">{swatch}'
                     f'<text x="{_f(_LEGEND_SWATCH + 6)}" y="10">{escape(label)}</text></g>')
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
