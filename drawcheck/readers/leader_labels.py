"""Labels written outside their outline and tied to it by a leader (metres).

A part's label (TEXT/MTEXT on its role layer) that lies in no outline of
that role joins an outline through a *connector* whose one end is at the
text and whose other end lies inside the outline:

* a LEADER or MULTILEADER on **any** layer (CAD puts them on annotation
  layers such as 标注); a MULTILEADER's own text is tied to its arrow heads
  whatever the distance;
* a LINE or an open polyline without arcs on the **same role layer** that joined
  no outline (a LINE elsewhere is too common to mean anything).

"At the text" means within :data:`NEAR_HEIGHTS` text heights of the
text's insertion point. When several connectors qualify, the one whose end
is nearest the text wins (ties: handle order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A connector's end this many text heights (or fewer) from a text's insertion point is at the text.
NEAR_HEIGHTS = 5.0


@dataclass(frozen=True)
class Connector:
    """A leader line (n, 2) in metres from its arrow head to its text end."""

    points: np.ndarray
    handle: str
    dxftype: str
    text_handle: str | None = None  # the MULTILEADER's own text


@dataclass(frozen=True)
class Link:
    text: int  # index into the texts given
    area: int  # index into the outlines given
    connector: Connector


def link_labels(texts, polygons, connectors: list[Connector]) -> list[Link]:
    """Tie each text of ``texts`` (objects with x, y, height, handle) to an outline through a connector.

    ``polygons``: the role's outlines as ring lists (metres, bulged rows).
    Returns one :class:`Link` per text that could be tied, in text order.
    """
    from ..geometry.arrays import PolygonArrays
    from ..geometry.kernels import smallest_containing_polygon

    if not texts or not polygons or not connectors:
        return []
    candidates = []  # (text index, distance to text, handle, connector, far point)
    for i, t in enumerate(texts):
        reach = NEAR_HEIGHTS * max(float(t.height), 1e-9)
        here = np.array([t.x, t.y])
        for c in connectors:
            if c.text_handle is not None:
                if c.text_handle == t.handle:
                    candidates.append((i, 0.0, c.handle, c, c.points[0]))
                continue
            for near, far in ((c.points[-1], c.points[0]), (c.points[0], c.points[-1])):
                d = float(np.hypot(*(near - here)))
                if d <= reach:
                    candidates.append((i, d, c.handle, c, far))
    if not candidates:
        return []
    arrays = PolygonArrays.from_polygons(list(polygons))
    dense = arrays.densified()
    points = np.array([c[4] for c in candidates], dtype=float)
    owner = smallest_containing_polygon(points, dense.xy, dense.ring_offsets, dense.poly_offsets,
                                        arrays.areas(), arrays.bounds())
    best: dict[int, tuple] = {}
    for cand, k in zip(candidates, owner):
        if k < 0:
            continue
        key = (cand[1], cand[2])
        if cand[0] not in best or key < best[cand[0]][0]:
            best[cand[0]] = (key, int(k), cand[3])
    return [Link(i, k, c) for i, (_, k, c) in sorted(best.items())]
