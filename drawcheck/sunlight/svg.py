"""A sunlight-hours map as SVG: the plan's buildings and every facade test point coloured by its hours.

Points of all floors stack in plan; each plan position shows its worst
floor. Colours run from red (no sun) through amber to green (at or above the
requirement). Text from the drawing is escaped.
"""

from __future__ import annotations

from html import escape

import numpy as np

from .study import Study


def _colour(minutes: float, required: float) -> str:
    if minutes >= required:
        return "#2e7d32"
    share = max(0.0, min(1.0, minutes / required)) if required > 0 else 1.0
    red, green = 211, int(47 + share * 160)
    return f"#{red:02x}{green:02x}2f"


def sunlight_svg(study: Study, outlines: list[tuple[str, np.ndarray]], required: float, title: str,
                 width: int = 900) -> str:
    """SVG text: building outlines (name, (n, 2) m) and the study's points by longest continuous minutes."""
    xy = np.vstack([o for _, o in outlines] + ([study.points.xyz[:, :2]] if len(study.points) else []))
    lo, hi = xy.min(axis=0) - 5.0, xy.max(axis=0) + 5.0
    scale = width / max(hi[0] - lo[0], 1e-9)
    height = int((hi[1] - lo[1]) * scale) + 40

    def pt(x, y):
        return (x - lo[0]) * scale, (hi[1] - y) * scale + 30

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">',
             f'<text x="8" y="20" font-size="14">{escape(title)}</text>']
    for name, ring in outlines:
        points = " ".join("{:.1f},{:.1f}".format(*pt(x, y)) for x, y in ring)
        parts.append(f'<polygon points="{points}" fill="#eceff1" stroke="#455a64" stroke-width="1"/>')
        cx, cy = pt(*ring.mean(axis=0))
        parts.append(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="middle">{escape(name)}</text>')
    worst: dict[tuple[float, float], float] = {}
    for w in study.windows:
        key = (round(w.point[0], 2), round(w.point[1], 2))
        worst[key] = min(worst.get(key, np.inf), w.hours.longest)
    for (x, y), minutes in sorted(worst.items()):
        px, py = pt(x, y)
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="1.6" fill="{_colour(minutes, required)}">'
                     f'<title>{minutes:.0f} min</title></circle>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
