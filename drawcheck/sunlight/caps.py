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

The caster's triangle test is tolerant (:data:`~drawcheck.sunlight.bvh.EDGE_TOLERANCE`
of a triangle past its edges, so no light leaks through a mesh's seams): a ray
passing that close to a box's side or top edge counts as blocked. So a ray
within :func:`graze_margin` of a cell's square counts as crossing it, and a
cap stays :func:`below_ray` under the ray, floored to :data:`CAP_STEP`.
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
import numba
from shapely.geometry import mapping

from ..geometry.jit import njit, prange
from ..rules.registry import NotApplicable, NotRun
from ..rules.sunlight_standards import EPS, STANDARDS, context, judge, run, standard_of, sunlight_rules
from .analysis import hhmm, runs
from .bvh import EDGE_TOLERANCE

#: m: the caster's float32 rounding of site coordinates within a kilometre of its scene centre (~6e-5 m),
#: rounded up.
ROUNDING = 1e-4
#: m: a cap stays at least this (plus the caster's tolerance over the box's height) below the lowest kept ray.
BELOW_RAY = 1e-3
#: m: caps are floored to this step (a height a drawing label can state).
CAP_STEP = 0.01
#: Say ``max_height=PLOT`` (the default) for the plot's ``height_max`` condition, None for no upper bound.
PLOT = "plot"
#: Rays are split into this many chunks for the zone-entry kernel (each chunk has its own walk buffers).
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


def graze_margin(width: float) -> float:
    """How close (m) a ray may pass to a column ``width`` m wide and count as crossing it: the caster accepts
    hits up to EDGE_TOLERANCE x the wall's width past its side edges; twice that, plus :data:`ROUNDING`."""
    return ROUNDING + 2.0 * EDGE_TOLERANCE * width


def below_ray(height) -> np.ndarray:
    """How far (m) a cap of about ``height`` m stays under the ray: :data:`BELOW_RAY`, plus twice the caster's
    tolerance past a wall's top edge (EDGE_TOLERANCE x its height)."""
    return BELOW_RAY + 2.0 * EDGE_TOLERANCE * np.asarray(height)


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
def _zone_entry_kernel(pts, member, pair_w, pair_s, plan, tan_alt, x0, y0, size, mask, graze, limit, out):
    """out[r] = lowest height (m) at which a ray of pair r (the points of window pair_w[r] toward sun pair_s[r])
    enters a cell of ``mask``; inf when none does below ``limit``."""
    ny, nx = mask.shape
    n = pair_w.shape[0]
    per = (n + _CHUNKS - 1) // _CHUNKS
    for c in prange(_CHUNKS):
        ci = np.empty(nx + ny + 4, np.int64)
        cj = np.empty(nx + ny + 4, np.int64)
        cs = np.empty(nx + ny + 4, np.float64)
        for r in range(c * per, min(n, (c + 1) * per)):
            sun = pair_s[r]
            dx, dy = plan[sun, 0], plan[sun, 1]
            rise = size * tan_alt[sun]
            best = np.inf
            for m in range(member.shape[1]):
                p = member[pair_w[r], m]
                if p < 0:
                    break
                u, v = (pts[p, 0] - x0) / size, (pts[p, 1] - y0) / size
                for side in (-1.0, 0.0, 1.0):
                    count = _walk(u - side * graze * dy, v + side * graze * dx, dx, dy, nx, ny, ci, cj, cs)
                    for k in range(count):
                        z = pts[p, 2] + cs[k] * rise
                        if z >= limit or z >= best:
                            break
                        if mask[ci[k], cj[k]]:
                            best = z
                            break
            out[r] = best


@njit(cache=True, parallel=True)
def _column_caps_kernel(pts, member, pair_w, pair_s, plan, tan_alt, x0, y0, size, graze, limit, chunks, caps, which):
    """caps[i, j] = lowest height (m) below ``limit`` at which a ray of some pair r (the points of window
    pair_w[r] toward sun pair_s[r]) enters cell (i, j); which[i, j] = that r. The pairs are split into
    ``chunks`` (one per thread), each with its own copy of the grid."""
    ny, nx = caps.shape
    n = pair_w.shape[0]
    per = (n + chunks - 1) // chunks
    part_caps = np.full((chunks, ny, nx), np.inf)
    part_which = np.full((chunks, ny, nx), -1, np.int64)
    for c in prange(chunks):
        ci = np.empty(nx + ny + 4, np.int64)
        cj = np.empty(nx + ny + 4, np.int64)
        cs = np.empty(nx + ny + 4, np.float64)
        for r in range(c * per, min(n, (c + 1) * per)):
            sun = pair_s[r]
            dx, dy = plan[sun, 0], plan[sun, 1]
            rise = size * tan_alt[sun]
            for m in range(member.shape[1]):
                p = member[pair_w[r], m]
                if p < 0:
                    break
                u, v = (pts[p, 0] - x0) / size, (pts[p, 1] - y0) / size
                for side in (-1.0, 0.0, 1.0):
                    count = _walk(u - side * graze * dy, v + side * graze * dx, dx, dy, nx, ny, ci, cj, cs)
                    for k in range(count):
                        z = pts[p, 2] + cs[k] * rise
                        if z >= limit:
                            break
                        if z < part_caps[c, ci[k], cj[k]]:
                            part_caps[c, ci[k], cj[k]] = z
                            part_which[c, ci[k], cj[k]] = r
    for c in range(chunks):
        for i in range(ny):
            for j in range(nx):
                if part_caps[c, i, j] < caps[i, j]:
                    caps[i, j] = part_caps[c, i, j]
                    which[i, j] = part_which[c, i, j]


def _plan_suns(suns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit plan directions (S, 2) and tan(altitude) (S,) of unit vectors toward the sun (S, 3)."""
    v = np.asarray(suns, dtype=np.float64).reshape(-1, 3)
    horizontal = np.hypot(v[:, 0], v[:, 1])
    flat = horizontal < 1e-12  # sun at the zenith: the ray stands over its own cell
    h = np.where(flat, 1.0, horizontal)
    plan = np.ascontiguousarray(np.where(flat[:, None], 0.0, v[:, :2] / h[:, None]))
    return plan, np.where(flat, 0.0, v[:, 2] / h)


@dataclass(frozen=True)
class Rays:
    """Rays grouped by window: window w's test points are ``points[member[w]]`` (-1 pads), and pair r is every
    point of window ``pair_w[r]`` toward sun ``pair_s[r]`` (unit vectors ``suns``); metres."""

    points: np.ndarray  # (P, 3)
    member: np.ndarray  # (W, m) int
    suns: np.ndarray  # (S, 3)
    pair_w: np.ndarray  # (R,) int
    pair_s: np.ndarray  # (R,) int

    @classmethod
    def single(cls, points: np.ndarray, suns: np.ndarray) -> "Rays":
        """One ray per row: from points[r] toward suns[r]."""
        n = len(points)
        index = np.arange(n, dtype=np.int64)
        return cls(np.asarray(points, dtype=np.float64).reshape(-1, 3), index[:, None], suns, index, index)

    def _args(self):
        plan, tan_alt = _plan_suns(self.suns)
        return (np.ascontiguousarray(self.points, dtype=np.float64), np.ascontiguousarray(self.member, dtype=np.int64),
                np.ascontiguousarray(self.pair_w, dtype=np.int64), np.ascontiguousarray(self.pair_s, dtype=np.int64),
                plan, tan_alt)


def zone_entry_heights(rays: Rays, grid: Grid, mask: np.ndarray, limit: float = np.inf,
                       graze: float | None = None) -> np.ndarray:
    """(R,) per pair, the lowest height (m) at which one of its rays first enters a cell of ``mask``
    ((ny, nx) bool on ``grid``): rays rise, so that is their lowest over the masked cells; inf where none
    enters one below ``limit`` (m). ``graze``: m, default :func:`graze_margin` of the cell size."""
    graze = graze_margin(grid.size) if graze is None else graze
    out = np.full(len(rays.pair_w), np.inf)
    if len(out):
        _zone_entry_kernel(*rays._args(), grid.x0, grid.y0, grid.size, np.ascontiguousarray(mask, dtype=np.bool_),
                           graze / grid.size, float(limit), out)
    return out


def column_caps(rays: Rays, grid: Grid, limit: float = np.inf,
                graze: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of ``grid``, the lowest height (m) at which one of the rays enters the cell's square (grown by
    ``graze`` m, default :func:`graze_margin` of the cell size), and its pair: ((ny, nx) float, inf where no
    ray passes below ``limit``; (ny, nx) int, -1 there).

    A column on the cell taller than that blocks a ray; one at most that high blocks none of them.
    """
    graze = graze_margin(grid.size) if graze is None else graze
    caps = np.full((grid.ny, grid.nx), np.inf)
    which = np.full((grid.ny, grid.nx), -1, dtype=np.int64)
    if len(rays.pair_w):
        _column_caps_kernel(*rays._args(), grid.x0, grid.y0, grid.size, graze / grid.size, float(limit),
                            numba.get_num_threads(), caps, which)
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


def _usable(windows: Sequence, sun) -> np.ndarray:
    """(W, S) the samples that count for each window: its sunlit slices as the rule counted them
    (``hours.intervals``: in its band, at least the minimum slice, every building standing)."""
    ok = np.zeros((len(windows), len(sun.minutes)), dtype=bool)
    for n, w in enumerate(windows):
        for start, end in w.hours.intervals:
            ok[n, np.searchsorted(sun.minutes, start - 1e-9):np.searchsorted(sun.minutes, end - 1e-9)] = True
    return ok


@njit(cache=True, parallel=True)
def _best_runs(score, altitude, k, out):
    """out[w] = first sample of the k-long run of samples with a score (> -inf) whose lowest score is highest
    (ties: whose lowest altitude is highest, then the earliest); -1 where window w has no such run."""
    n_w, n_s = score.shape
    for w in prange(n_w):
        out[w] = -1
        best, best_alt = -np.inf, -np.inf
        run = 0
        for end in range(n_s):
            run = run + 1 if score[w, end] > -np.inf else 0
            if run < k:
                continue
            low, low_alt = np.inf, np.inf
            for s in range(end - k + 1, end + 1):
                low = min(low, score[w, s])
                low_alt = min(low_alt, altitude[s])
            if out[w] < 0 or low > best or (low == best and low_alt > best_alt):
                out[w], best, best_alt = end - k + 1, low, low_alt


def _slices_kept(heights: np.ndarray, usable: np.ndarray, altitude: np.ndarray, k: int) -> np.ndarray | None:
    """A cumulative window without a k-long sunlit run keeps whole sunlit slices, the highest over the zone
    first (then the highest sun, then the earliest), until k samples; None when they add up to fewer."""
    slices = sorted(runs(usable), key=lambda r: (-heights[r[0]:r[1]].min(), -altitude[r[0]:r[1]].min(), r[0]))
    chosen, total = [], 0
    for a, b in slices:
        chosen.append(np.arange(a, b))
        total += b - a
        if total >= k:
            return np.sort(np.concatenate(chosen))
    return None


def kept_samples(study, verdicts: Sequence, std, grid: Grid, mask: np.ndarray, limit: float,
                 graze: float | None = None) -> tuple[list[Kept], dict]:
    """The samples each passing window keeps clear, and counts of the windows by what they constrain.

    Each passing window keeps the k = required / step samples of one run of its sunlit samples whose rays'
    lowest height over ``mask`` (cells of ``grid``; ``limit`` and above count as ``limit``) is highest.
    """
    sun, points = study.sun, study.points
    members: dict[int, list[int]] = {}
    for p, w in enumerate(points.window):
        members.setdefault(int(w), []).append(p)
    k = int(math.ceil(std.required / sun.step - EPS))
    counted = {"windows": len(verdicts), "constraining": 0, "failing": 0, "already_below": 0}
    passing = []
    for v in verdicts:
        if v.verdict == "pass":
            passing.append(v.window)
        else:
            counted["failing" if v.verdict == "fail" else "already_below"] += 1
    if k <= 0 or not passing:  # nothing required, or no window to keep lit
        return [], counted
    usable = _usable(passing, sun)
    slots = max(len(members[w.window]) for w in passing)
    member = np.full((len(passing), slots), -1, dtype=np.int64)
    for n, w in enumerate(passing):
        member[n, :len(members[w.window])] = members[w.window]
    # each window's lowest ray over the zone at every usable sample (the minimum over its points)
    n_, s_ = np.nonzero(usable)
    heights = np.full(usable.shape, -np.inf)
    heights[n_, s_] = zone_entry_heights(Rays(points.xyz, member, sun.vectors, n_, s_), grid, mask, limit,
                                            graze)
    heights = np.minimum(heights, limit)  # at or above the limit, every ray is as good as another
    starts = np.empty(len(passing), dtype=np.int64)
    _best_runs(heights, np.ascontiguousarray(sun.elevation, dtype=np.float64), k, starts)
    out = []
    for n, w in enumerate(passing):
        idx = member[n][member[n] >= 0]
        if starts[n] >= 0:
            chosen = np.arange(starts[n], starts[n] + k)
        else:
            chosen = _slices_kept(heights[n], usable[n], sun.elevation, k) if std.measure == "cumulative" else None
        if chosen is None:  # a passing window always has its minutes; never leave one silently unconstrained
            raise RuntimeError(f"window {w.window} of {w.building} passes but has no {std.required:g} minutes "
                               "to keep")
        out.append(Kept(w, idx, chosen))
    counted["constraining"] = len(out)
    return out, counted


# -- the caps ---------------------------------------------------------------------------------------

def _zone_mask(zone, grid: Grid) -> np.ndarray:
    """(ny, nx) True where the cell centre lies in the zone (boundary included)."""
    x, y = grid.centres()
    return shapely.intersects_xy(zone, x, y)


def _floor_cap(z: np.ndarray) -> np.ndarray:
    """Heights floored to CAP_STEP at least :func:`below_ray` under ``z`` (m), never below 0."""
    return np.maximum(np.floor((z - below_ray(z)) / CAP_STEP + 1e-9) * CAP_STEP, 0.0)


def kept_rays(study, kept: Sequence[Kept]) -> Rays:
    """The rays of every kept window: each of its points toward each of its kept suns."""
    member = np.full((len(kept), max((len(k.points) for k in kept), default=1)), -1, dtype=np.int64)
    for n, k in enumerate(kept):
        member[n, :len(k.points)] = k.points
    pair_w = np.repeat(np.arange(len(kept), dtype=np.int64), [len(k.samples) for k in kept])
    pair_s = np.concatenate([k.samples for k in kept] or [np.zeros(0, np.int64)]).astype(np.int64)
    return Rays(study.points.xyz, member, study.sun.vectors, pair_w, pair_s)


def _rule_caps(prepared, rule, grid: Grid, pad: int, offsets: np.ndarray, mask: np.ndarray, limit: float,
               graze: float):
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
        return np.full(mask.shape, np.inf), np.full(mask.shape, -1, dtype=np.int64), [], None, entry
    padded = Grid(grid.x0 - pad * grid.size, grid.y0 - pad * grid.size, grid.size, grid.nx + 2 * pad,
                  grid.ny + 2 * pad)
    kept, counted = kept_samples(study, judge(study, std), std, padded, _dilate(mask, offsets, pad), limit, graze)
    caps, pair = column_caps(kept_rays(study, kept), padded, limit, graze)
    caps, pair = _min_over(caps, pair, offsets, pad)
    window = np.full(pair.shape, -1, dtype=np.int64)
    if kept:
        window[pair >= 0] = np.repeat(np.arange(len(kept)), [len(k.samples) for k in kept])[pair[pair >= 0]]
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
        On a grid or max_height that is not a positive number, an empty or non-areal zone, a footprint that
        is not a polygon with area, or no such sunlight rule among the packs.
    """
    if isinstance(grid, bool) or not isinstance(grid, (int, float)) or not (math.isfinite(grid) and grid > 0):
        raise ValueError(f"grid must be a positive number of metres, not {grid!r}")
    if zone is None or zone.geom_type not in ("Polygon", "MultiPolygon") or zone.is_empty or zone.area <= 0:
        raise ValueError("zone must be a non-empty Polygon or MultiPolygon")
    if footprint is not None and (footprint.geom_type not in ("Polygon", "MultiPolygon") or footprint.area <= 0):
        raise ValueError("footprint must be a Polygon or MultiPolygon with area")
    if isinstance(max_height, str) and max_height == PLOT:
        max_height = prepared.manifest.conditions.get("height_max")
    if max_height is not None and (isinstance(max_height, (bool, str)) or not isinstance(max_height, (int, float))
                                   or not (math.isfinite(max_height) and max_height > 0)):
        raise ValueError(f"max_height must be a positive number of metres or None, not {max_height!r}")
    limit = float(max_height) if max_height is not None else np.inf
    rules = [r for r in sunlight_rules(prepared.packs) if rule is None or r.id == rule]
    if not rules:
        what = f"sunlight rule {rule}" if rule else "sunlight rule"
        raise ValueError(f"no {what} among the selected packs (checks: {', '.join(STANDARDS)})")
    size = float(grid)
    column = footprint if footprint is not None else shapely.box(-size / 2, -size / 2, size / 2, size / 2)
    offsets = stencil(column, size)
    minx, miny, maxx, maxy = column.bounds
    graze = graze_margin(max(size, maxx - minx, maxy - miny))
    pad = int(np.abs(offsets).max())
    g = Grid.over(zone.bounds, size)
    mask = _zone_mask(zone, g)
    caps = np.full(mask.shape, np.inf)
    owner = np.full(mask.shape, -1, dtype=np.int64)  # index into keys
    keys: list[tuple[str, Kept, object]] = []
    entries, ran, constraining = [], [], 0
    for r in rules:
        rc, rw, kept, sun, entry = _rule_caps(prepared, r, g, pad, offsets, mask, limit, graze)
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
            "graze_m": graze, "below_ray_m": f"{BELOW_RAY:g} + {2 * EDGE_TOLERANCE:g} x height",
            "step_m": CAP_STEP,
            "conservative": ("a building no taller over each zone cell than that cell's cap, on any number of cells, "
                             "keeps every kept minute lit" if footprint is None else
                             "the footprint on any cell centre, no taller than that cell's cap, keeps every kept "
                             "minute lit"),
        },
    }
