"""Sunlight height caps (日照限高): the tallest building on each cell of a grid that keeps every window's sunlight.

For each sunlight rule of the submission's packs (the standard of
:mod:`drawcheck.rules.sunlight_standards`: its day, band per facing, measure,
minutes and minimum slice) the whole-site study is run once, with every
building standing, and each window that passes today is given a set of sun
samples to keep clear: the continuous interval of the required length, among
its lit minutes in its band, whose rays pass highest over the zone (a
cumulative standard whose window has no such interval keeps whole sunlit
slices, highest first, up to the required minutes). Keeping those rays clear
is sufficient for the window to pass, so the caps are conservative: any
building that stays under them, on any number of cells at once, leaves every
such window passing. Windows that fail already (or, for neighbours, were
below the standard without the project) constrain nothing.

A ray from a window point toward the sun at altitude a passes over a point at
horizontal distance t at height z + t tan a; a column standing on a cell
blocks it when it is taller than the ray where the ray enters the cell's
square. The rays are walked cell by cell through the grid (Amanatides & Woo)
in a numba kernel, twice: once to score each window's candidate intervals
(the lowest height the ray reaches over the zone), once to take each cell's
minimum over the kept rays. Rays already blocked by a building are never
kept (they are not lit), so existing obstructions count.

A ray within :data:`GRAZE` of a cell's square counts as crossing it (the
caster's tolerant edge test would call a box whose edge it grazes a hit), and
a cap stays :data:`BELOW_RAY` under the ray, floored to :data:`CAP_STEP`.
Heights are metres above ±0.00; coordinates are site coordinates in metres.

References
----------
Amanatides, J. and Woo, A. (1987). A fast voxel traversal algorithm for ray
tracing. Eurographics '87, 3-10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import mapping
from numba import njit, prange

from ..rules.registry import NotApplicable, NotRun
from ..rules.sunlight_standards import EPS, STANDARDS, context, judge, run, standard_of, sunlight_rules
from .analysis import hhmm, runs, sunlit_hours, window_lit

#: m: a ray passing within this of a cell's square counts as crossing it (the caster's edge tolerance
#: and float32 rounding are ~1e-5 m on a site; a millimetre keeps the caps on the safe side of both).
GRAZE = 1e-3
#: m: a cap stays at least this far below the lowest kept ray over its cell.
BELOW_RAY = 1e-3
#: m: caps are floored to this step (a height a drawing label can state).
CAP_STEP = 0.01
#: Say ``max_height=PLOT`` (the default) for the plot's ``height_max`` condition, None for no upper bound.
PLOT = "plot"
#: Rays are split into this many chunks for the parallel kernels (each chunk has its own buffers).
_CHUNKS = 64


@dataclass(frozen=True)
class Grid:
    """A square grid in site coordinates: cell (i, j) spans x0 + [j, j + 1] size, y0 + [i, i + 1] size (m)."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    @classmethod
    def over(cls, bounds: Sequence[float], size: float, pad: int = 0) -> "Grid":
        """The grid of ``size`` m with cell edges on multiples of ``size`` covering ``bounds``, ``pad`` cells more."""
        minx, miny, maxx, maxy = bounds
        x0 = math.floor(minx / size) * size - pad * size
        y0 = math.floor(miny / size) * size - pad * size
        nx = max(1, math.ceil((maxx - x0) / size - 1e-9)) + pad
        ny = max(1, math.ceil((maxy - y0) / size - 1e-9)) + pad
        return cls(float(x0), float(y0), float(size), int(nx), int(ny))

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """(ny, nx) arrays of the cell centres' x and y, m."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.size
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.size
        return np.meshgrid(xs, ys)


# -- the ray walk ---------------------------------------------------------------------------------

@njit(cache=True, inline="always")
def _walk(u, v, dx, dy, nx, ny, cells_i, cells_j, cells_s):
    """The cells of an nx x ny grid (cell units) the plan ray (u, v) + s (dx, dy), s >= 0, crosses, in order,
    each with the s at which the ray enters it; returns their number."""
    s0, s1 = 0.0, np.inf
    if dx != 0.0:
        a, b = -u / dx, (nx - u) / dx
        s0, s1 = max(s0, min(a, b)), min(s1, max(a, b))
    elif u < 0.0 or u > nx:
        return 0
    if dy != 0.0:
        a, b = -v / dy, (ny - v) / dy
        s0, s1 = max(s0, min(a, b)), min(s1, max(a, b))
    elif v < 0.0 or v > ny:
        return 0
    if s0 > s1:
        return 0
    x, y = u + s0 * dx, v + s0 * dy
    j, i = int(math.floor(x)), int(math.floor(y))
    if dx < 0.0 and x == j:
        j -= 1  # on a grid line, moving toward -x: the cell on that side
    if dy < 0.0 and y == i:
        i -= 1
    j, i = min(max(j, 0), nx - 1), min(max(i, 0), ny - 1)
    step_j, step_i = (1 if dx > 0.0 else -1), (1 if dy > 0.0 else -1)
    if dx > 0.0:
        next_x, delta_x = (j + 1 - u) / dx, 1.0 / dx
    elif dx < 0.0:
        next_x, delta_x = (j - u) / dx, -1.0 / dx
    else:
        next_x, delta_x = np.inf, np.inf
    if dy > 0.0:
        next_y, delta_y = (i + 1 - v) / dy, 1.0 / dy
    elif dy < 0.0:
        next_y, delta_y = (i - v) / dy, -1.0 / dy
    else:
        next_y, delta_y = np.inf, np.inf
    s = s0
    n = 0
    while n < cells_i.shape[0]:
        cells_i[n], cells_j[n], cells_s[n] = i, j, s
        n += 1
        if next_x < next_y:
            s, j, next_x = next_x, j + step_j, next_x + delta_x
        else:
            s, i, next_y = next_y, i + step_i, next_y + delta_y
        if s > s1 or i < 0 or j < 0 or i >= ny or j >= nx:
            break
    return n


@njit(cache=True, parallel=True)
def _zone_entry_kernel(org, plan, tan_alt, x0, y0, size, mask, graze, limit, out):
    """out[r] = height (m) of ray r where it first enters a cell of ``mask``, or inf (missed, or above ``limit``)."""
    ny, nx = mask.shape
    n = org.shape[0]
    per = (n + _CHUNKS - 1) // _CHUNKS
    for c in prange(_CHUNKS):
        ci = np.empty(nx + ny + 4, np.int64)
        cj = np.empty(nx + ny + 4, np.int64)
        cs = np.empty(nx + ny + 4, np.float64)
        for r in range(c * per, min(n, (c + 1) * per)):
            dx, dy = plan[r, 0], plan[r, 1]
            u, v = (org[r, 0] - x0) / size, (org[r, 1] - y0) / size
            rise = size * tan_alt[r]
            best = np.inf
            for side in (-1.0, 0.0, 1.0):
                m = _walk(u - side * graze * dy, v + side * graze * dx, dx, dy, nx, ny, ci, cj, cs)
                for k in range(m):
                    z = org[r, 2] + cs[k] * rise
                    if z >= limit or z >= best:
                        break
                    if mask[ci[k], cj[k]]:
                        best = z
                        break
            out[r] = best


@njit(cache=True, parallel=True)
def _column_caps_kernel(org, plan, tan_alt, x0, y0, size, nx, ny, graze, limit, caps, which):
    """caps[i, j] = lowest height (m) at which any ray enters cell (i, j), below ``limit``; which = that ray."""
    n = org.shape[0]
    per = (n + _CHUNKS - 1) // _CHUNKS
    part_caps = np.full((_CHUNKS, ny, nx), np.inf)
    part_which = np.full((_CHUNKS, ny, nx), -1, np.int64)
    for c in prange(_CHUNKS):
        ci = np.empty(nx + ny + 4, np.int64)
        cj = np.empty(nx + ny + 4, np.int64)
        cs = np.empty(nx + ny + 4, np.float64)
        for r in range(c * per, min(n, (c + 1) * per)):
            dx, dy = plan[r, 0], plan[r, 1]
            u, v = (org[r, 0] - x0) / size, (org[r, 1] - y0) / size
            rise = size * tan_alt[r]
            for side in (-1.0, 0.0, 1.0):
                m = _walk(u - side * graze * dy, v + side * graze * dx, dx, dy, nx, ny, ci, cj, cs)
                for k in range(m):
                    z = org[r, 2] + cs[k] * rise
                    if z >= limit:
                        break
                    if z < part_caps[c, ci[k], cj[k]]:
                        part_caps[c, ci[k], cj[k]] = z
                        part_which[c, ci[k], cj[k]] = r
    for c in range(_CHUNKS):
        for i in range(ny):
            for j in range(nx):
                if part_caps[c, i, j] < caps[i, j]:
                    caps[i, j] = part_caps[c, i, j]
                    which[i, j] = part_which[c, i, j]


def _plan_rays(points: np.ndarray, suns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origins (R, 3), unit plan directions (R, 2) and tan(altitude) (R,) of rays from ``points`` toward ``suns``."""
    org = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 3)
    v = np.asarray(suns, dtype=np.float64).reshape(-1, 3)
    horizontal = np.hypot(v[:, 0], v[:, 1])
    flat = horizontal < 1e-12  # sun at the zenith: the ray stands over its own cell
    h = np.where(flat, 1.0, horizontal)
    plan = np.ascontiguousarray(np.where(flat[:, None], 0.0, v[:, :2] / h[:, None]))
    tan_alt = np.where(flat, 0.0, v[:, 2] / h)
    return org, plan, tan_alt


def zone_entry_heights(points: np.ndarray, suns: np.ndarray, grid: Grid, mask: np.ndarray,
                       limit: float = np.inf) -> np.ndarray:
    """(R,) height (m) of each ray (from points[r] toward suns[r], unit vectors) where it first enters a cell
    of ``mask`` ((ny, nx) bool); inf where it never does below ``limit`` (m)."""
    org, plan, tan_alt = _plan_rays(points, suns)
    out = np.full(len(org), np.inf)
    if len(org):
        _zone_entry_kernel(org, plan, tan_alt, grid.x0, grid.y0, grid.size, np.ascontiguousarray(mask, dtype=np.bool_),
                           GRAZE / grid.size, float(limit), out)
    return out


def column_caps(points: np.ndarray, suns: np.ndarray, grid: Grid, limit: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the lowest height (m) at which one of the rays (points[r] toward suns[r]) enters the cell's
    square, and that ray's index: ((ny, nx) float, inf where no ray passes below ``limit``; (ny, nx) int, -1 there).

    A column on the cell taller than that blocks the ray; one at most that high blocks none of them.
    """
    org, plan, tan_alt = _plan_rays(points, suns)
    caps = np.full((grid.ny, grid.nx), np.inf)
    which = np.full((grid.ny, grid.nx), -1, dtype=np.int64)
    if len(org):
        _column_caps_kernel(org, plan, tan_alt, grid.x0, grid.y0, grid.size, grid.nx, grid.ny, GRAZE / grid.size,
                            float(limit), caps, which)
    return caps, which


# -- footprints larger than a cell ------------------------------------------------------------------

def stencil(footprint, size: float) -> np.ndarray:
    """(k, 2) cell offsets (di, dj) whose squares the footprint (a polygon in m, relative to a cell centre)
    overlaps with positive area; a footprint placed on a cell is under every column of those cells."""
    minx, miny, maxx, maxy = footprint.bounds
    dj = np.arange(math.floor(minx / size - 0.5), math.ceil(maxx / size + 0.5) + 1)
    di = np.arange(math.floor(miny / size - 0.5), math.ceil(maxy / size + 0.5) + 1)
    jj, ii = np.meshgrid(dj, di)
    boxes = shapely.box((jj - 0.5) * size, (ii - 0.5) * size, (jj + 0.5) * size, (ii + 0.5) * size)
    overlap = shapely.area(shapely.intersection(boxes, footprint)) > 1e-9 * size * size
    return np.column_stack([ii[overlap], jj[overlap]]).astype(np.int64)


def _min_over(values: np.ndarray, which: np.ndarray, offsets: np.ndarray, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of the unpadded grid, the minimum of ``values`` over the cells at ``offsets`` (and its ``which``)."""
    ny, nx = values.shape[0] - 2 * pad, values.shape[1] - 2 * pad
    best = np.full((ny, nx), np.inf)
    arg = np.full((ny, nx), -1, dtype=np.int64)
    for di, dj in offsets:
        v = values[pad + di:pad + di + ny, pad + dj:pad + dj + nx]
        w = which[pad + di:pad + di + ny, pad + dj:pad + dj + nx]
        lower = v < best
        best[lower], arg[lower] = v[lower], w[lower]
    return best, arg


def _dilate(mask: np.ndarray, offsets: np.ndarray, pad: int) -> np.ndarray:
    """The padded-grid cells some footprint placed on a ``mask`` cell (unpadded) covers."""
    ny, nx = mask.shape
    out = np.zeros((ny + 2 * pad, nx + 2 * pad), dtype=bool)
    for di, dj in offsets:
        out[pad + di:pad + di + ny, pad + dj:pad + dj + nx] |= mask
    return out


# -- which minutes each window keeps -----------------------------------------------------------------

@dataclass(frozen=True)
class Kept:
    """One window's sun samples to keep clear: its test points and the sample indices."""

    window: object  # drawcheck.sunlight.study.WindowResult
    points: np.ndarray  # (m,) indices into the study's test points
    samples: np.ndarray  # (k,) indices into the study's sun samples


def _usable(lit: np.ndarray, sun, band: tuple[float, float], min_slice: float) -> np.ndarray:
    """(S,) the samples that count for a window lit at ``lit`` (S,): the sunlit slices the rule counts
    (:func:`~drawcheck.sunlight.analysis.sunlit_hours`: in its band, at least ``min_slice`` minutes)."""
    ok = np.zeros(len(sun.minutes), dtype=bool)
    for start, end in sunlit_hours(lit, sun, band, min_slice).intervals:
        ok |= (sun.minutes >= start - 1e-9) & (sun.minutes < end - 1e-9)
    return ok


def _choose(heights: np.ndarray, usable: np.ndarray, altitude: np.ndarray, k: int, cumulative: bool) -> np.ndarray | None:
    """Sample indices a window keeps: the k-long run of usable samples whose lowest ray over the zone is highest
    (then whose lowest sun is highest, then the earliest); for a cumulative measure without such a run, whole
    usable slices, highest first, until k samples. ``heights`` (S,): the window's lowest ray over the zone."""
    s = len(heights)
    if k <= s:
        score = np.where(usable, heights, -np.inf)
        window_min = np.lib.stride_tricks.sliding_window_view(score, k).min(axis=1)
        alt_min = np.lib.stride_tricks.sliding_window_view(altitude, k).min(axis=1)
        ok = window_min > -np.inf
        if ok.any():
            best = window_min[ok].max()
            start = int(np.argmax(np.where(ok & (window_min == best), alt_min, -np.inf)))
            return np.arange(start, start + k)
    if not cumulative:
        return None
    slices = sorted(runs(usable), key=lambda r: (-heights[r[0]:r[1]].min(), -altitude[r[0]:r[1]].min(), r[0]))
    chosen, total = [], 0
    for a, b in slices:
        chosen.append(np.arange(a, b))
        total += b - a
        if total >= k:
            return np.sort(np.concatenate(chosen))
    return None


def kept_samples(study, verdicts: Sequence, std, grid: Grid, mask: np.ndarray, limit: float) -> tuple[list[Kept], dict]:
    """The samples each passing window keeps clear, and counts of the windows by what they constrain."""
    sun, points = study.sun, study.points
    members: dict[int, list[int]] = {}
    for p, w in enumerate(points.window):
        members.setdefault(int(w), []).append(p)
    k = int(math.ceil(std.required / sun.step - EPS))
    counted = {"windows": len(verdicts), "constraining": 0, "failing": 0, "already_below": 0}
    passing = []
    for v in verdicts:
        if v.verdict != "pass":
            counted["failing" if v.verdict == "fail" else "already_below"] += 1
            continue
        idx = np.array(members[v.window.window])
        usable = _usable(window_lit(study.lit, idx), sun, v.window.band, std.min_slice)
        passing.append((v.window, idx, usable))
    # each window's lowest ray over the zone at every usable sample (the minimum over its points)
    heights = np.full((len(passing), len(sun.minutes)), np.inf)
    if passing:
        lit_at = [np.flatnonzero(usable) for _, _, usable in passing]
        n_ = np.concatenate([np.full(len(idx) * len(s), n) for n, ((_, idx, _), s) in enumerate(zip(passing, lit_at))])
        p_ = np.concatenate([np.repeat(idx, len(s)) for (_, idx, _), s in zip(passing, lit_at)])
        s_ = np.concatenate([np.tile(s, len(idx)) for (_, idx, _), s in zip(passing, lit_at)])
        entry = zone_entry_heights(points.xyz[p_], sun.vectors[s_], grid, mask, limit)
        np.minimum.at(heights, (n_, s_), entry)
    heights = np.minimum(heights, limit)  # every ray at or above the limit is as good as any other
    out = []
    for n, (window, idx, usable) in enumerate(passing):
        if k <= 0:  # nothing required: nothing to keep
            continue
        chosen = _choose(heights[n], usable, sun.elevation, k, std.measure == "cumulative")
        if chosen is None:  # cannot happen for a passing window; never silently unconstrained
            raise AssertionError(f"window {window.window} passes but keeps no {std.required:g} minutes")
        out.append(Kept(window, idx, chosen))
    counted["constraining"] = len(out)  # windows with minutes to keep clear
    return out, counted


# -- the caps ---------------------------------------------------------------------------------------

def _zone_mask(zone, grid: Grid) -> np.ndarray:
    """(ny, nx) True where the cell centre lies in the zone (boundary included)."""
    x, y = grid.centres()
    return shapely.intersects_xy(zone, x, y)


def _floor_cap(z: np.ndarray) -> np.ndarray:
    """Heights floored to CAP_STEP at least BELOW_RAY under ``z`` (m), never below 0."""
    return np.maximum(np.floor((z - BELOW_RAY) / CAP_STEP + 1e-9) * CAP_STEP, 0.0)


def _rule_caps(prepared, rule, grid: Grid, pad: int, offsets: np.ndarray, mask: np.ndarray, limit: float):
    """One rule's caps on ``grid`` (inf: unconstrained), the kept window governing each cell (index into the
    returned list, -1: none), the kept windows, the sun samples and the rule's entry (JSON-ready); caps None
    when the rule cannot run."""
    ctx = context(prepared)
    entry = {"rule": rule.id}
    try:
        std = standard_of(ctx, rule)
        entry.update({"day": std.label, "measure": std.measure, "required_minutes": round(std.required),
                      "min_slice_minutes": std.min_slice, "step_minutes": std.step})
        study = run(ctx, std)
    except NotRun as exc:
        return None, None, [], None, {**entry, "outcome": "not_run", "reason": str(exc)}
    except NotApplicable as exc:
        entry.update({"outcome": "not_applicable", "reason": str(exc), "windows": 0, "constraining": 0})
        return np.full(mask.shape, np.inf), np.full(mask.shape, -1), [], None, entry
    padded = Grid(grid.x0 - pad * grid.size, grid.y0 - pad * grid.size, grid.size, grid.nx + 2 * pad,
                  grid.ny + 2 * pad)
    kept, counted = kept_samples(study, judge(study, std), std, padded, _dilate(mask, offsets, pad), limit)
    sizes = np.array([len(k.points) * len(k.samples) for k in kept], dtype=np.int64)
    pts = np.concatenate([np.repeat(k.points, len(k.samples)) for k in kept] or [np.zeros(0, np.int64)])
    sam = np.concatenate([np.tile(k.samples, len(k.points)) for k in kept] or [np.zeros(0, np.int64)])
    owner = np.repeat(np.arange(len(kept)), sizes)
    caps, ray = column_caps(study.points.xyz[pts], study.sun.vectors[sam], padded, limit)
    caps, ray = _min_over(caps, ray, offsets, pad)
    window = np.full(ray.shape, -1, dtype=np.int64)
    window[ray >= 0] = owner[ray[ray >= 0]]
    entry.update({"outcome": "computed", **counted})
    return caps, window, kept, study.sun, entry


def _slices(samples: np.ndarray, sun) -> list[list[str]]:
    """Consecutive runs of sample indices as [start, end) true solar times, HH:MM."""
    edges = np.flatnonzero(np.diff(samples) != 1)
    starts = np.concatenate([[0], edges + 1])
    ends = np.concatenate([edges, [len(samples) - 1]])
    return [[hhmm(sun.minutes[samples[a]]), hhmm(sun.minutes[samples[b]] + sun.step)] for a, b in zip(starts, ends)]


def _window_row(rule_id: str, k: Kept, sun) -> dict:
    """A governing window, JSON-ready: which window and the minutes it keeps clear (true solar time)."""
    w = k.window
    return {"rule": rule_id, "building": w.building, "existing": w.existing, "floor": w.floor, "facade": w.facade,
            "window": w.window, "point": [round(float(c), 3) for c in w.point], "kept": _slices(k.samples, sun),
            "sampled": w.sampled}


def height_caps(prepared, zone, *, grid: float = 2.0, footprint=None, max_height=PLOT, rule: str | None = None) -> dict:
    """Sunlight height caps (m) on a ``grid`` m square grid over ``zone`` (a shapely Polygon or MultiPolygon, m).

    Parameters
    ----------
    prepared : a read submission (:func:`drawcheck.pipeline.prepare`); its packs' sunlight rules apply.
    zone : where the new building may stand; the caps are given for the cells whose centre lies in it.
    grid : cell size, m; cell edges lie on multiples of it.
    footprint : the planned building's outline (shapely polygon, m) relative to its reference point, which is
        put on each cell centre; default: the cell's own square.
    max_height : m, the height a cell gets when no window limits it below that (and the ceiling of every
        cap); ``PLOT``: the plot's ``height_max`` condition; None: no ceiling (unconstrained cells get null).
    rule : a sunlight rule id (``shanghai-sunlight:2021/housing``); default every sunlight rule of the packs.

    Returns
    -------
    JSON-ready dict: ``grid`` (m), ``origin`` (lower-left corner of cell [0, 0], m), ``shape`` [ny, nx],
    ``cells`` [[x, y, cap m or null], ...] for the cells in the zone (centres, row by row from the south-west),
    ``governing`` (per cell, an index into ``governing_windows``, null where no window limits it),
    ``windows`` (windows kept clear), ``rule`` (the rule id, a list when several ran, null when none did),
    ``rules`` (per rule: outcome, day, measure, window counts), ``max_height``, ``outcome`` (``computed``,
    or ``not_run`` when no selected rule could run: caps all null) and ``basis``.

    Raises
    ------
    ValueError
        On a grid that is not a positive number, an empty or non-areal zone, a footprint that is not a
        polygon with area, or no such sunlight rule among the packs.
    """
    if isinstance(grid, bool) or not isinstance(grid, (int, float)) or not (math.isfinite(grid) and grid > 0):
        raise ValueError(f"grid must be a positive number of metres, not {grid!r}")
    if zone is None or zone.geom_type not in ("Polygon", "MultiPolygon") or zone.is_empty or zone.area <= 0:
        raise ValueError("zone must be a non-empty Polygon or MultiPolygon")
    if footprint is not None and (footprint.geom_type not in ("Polygon", "MultiPolygon") or footprint.area <= 0):
        raise ValueError("footprint must be a Polygon or MultiPolygon with area")
    if isinstance(max_height, str) and max_height == PLOT:
        max_height = prepared.manifest.conditions.get("height_max")
    limit = float(max_height) if max_height is not None else np.inf
    rules = [r for r in sunlight_rules(prepared.packs) if rule is None or r.id == rule]
    if not rules:
        what = f"sunlight rule {rule}" if rule else "sunlight rule"
        raise ValueError(f"no {what} among the selected packs (checks: {', '.join(STANDARDS)})")
    size = float(grid)
    offsets = stencil(footprint if footprint is not None else shapely.box(-size / 2, -size / 2, size / 2, size / 2),
                      size)
    pad = int(np.abs(offsets).max())
    g = Grid.over(zone.bounds, size)
    mask = _zone_mask(zone, g)
    caps = np.full(mask.shape, np.inf)
    owner = np.full(mask.shape, -1, dtype=np.int64)  # index into keys
    keys: list[tuple[str, Kept, object]] = []
    entries, ran, constraining = [], [], 0
    for r in rules:
        rc, rw, kept, sun, entry = _rule_caps(prepared, r, g, pad, offsets, mask, limit)
        entries.append(entry)
        if rc is None:
            continue
        ran.append(r.id)
        constraining += entry.get("constraining", 0)
        lower = rc < caps
        caps[lower] = rc[lower]
        owner[lower] = np.where(rw[lower] >= 0, rw[lower] + len(keys), -1)
        keys += [(r.id, k, sun) for k in kept]
    inside = np.flatnonzero(mask.ravel())
    x, y = (c.ravel()[inside] for c in g.centres())
    cap = caps.ravel()[inside]
    by = owner.ravel()[inside]
    limited = np.isfinite(cap) & (cap < limit)
    used = np.unique(by[limited])
    index = {int(u): n for n, u in enumerate(used)}
    values = _floor_cap(np.where(limited, cap, 0.0))
    cells = []
    for n in range(len(inside)):
        if not ran:
            h = None
        elif limited[n]:
            h = round(float(values[n]), 2)
        else:
            h = None if max_height is None else float(max_height)
        cells.append([round(float(x[n]), 3), round(float(y[n]), 3), h])
    return {
        "outcome": "computed" if ran else "not_run",
        "grid": size, "origin": [g.x0, g.y0], "shape": [g.ny, g.nx], "cells": cells,
        "governing": [index[int(b)] if limited[n] else None for n, b in enumerate(by)],
        "governing_windows": [_window_row(*keys[int(u)]) for u in used],
        "windows": constraining, "rule": ran[0] if len(ran) == 1 else (ran or None), "rules": entries,
        "max_height": None if max_height is None else float(max_height),
        "footprint": None if footprint is None else mapping(footprint),
        "basis": {
            "kept": "per passing window, the continuous interval of the required minutes among its sunlit minutes "
                    "in its band whose rays pass highest over the zone (cumulative standards without one: whole "
                    "sunlit slices, highest first); failing and already-below windows constrain nothing",
            "column": "the cell's square" if footprint is None else "the footprint on the cell centre",
            "graze_m": GRAZE, "below_ray_m": BELOW_RAY, "step_m": CAP_STEP,
            "conservative": "a building no taller over each zone cell than that cell's cap, on any number of cells, "
                            "keeps every kept minute lit",
        },
    }
