"""Sunlit minutes per test point: shadow rays toward each sun position, then runs in true solar time.

A sample at minute t stands for the minute [t, t + step): it counts when the
sun is above the horizon and unobstructed at its start; interval ends are
exclusive. The effective band (有效日照时间带) and the minimum slice (5 min in
Shanghai) belong to the rule, not to the ray casting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .scene import Scene


@dataclass(frozen=True)
class SunSamples:
    minutes: np.ndarray  # (S,) true solar time, minutes after midnight
    vectors: np.ndarray  # (S, 3) unit vectors toward the sun, drawing frame
    elevation: np.ndarray  # (S,) degrees
    step: float  # minutes


def sun_samples(latitude: float, longitude: float, day, start: float, end: float, step: float = 1.0,
                north_angle: float = 0.0) -> SunSamples:
    """Sun positions at ``step`` minutes from ``start`` (inclusive) to ``end`` (exclusive), hours of true solar time."""
    from .solar import sun_vectors

    path = sun_vectors(latitude, longitude, day, start, end - step / 60.0, step, north_angle)
    return SunSamples(np.asarray(path.minutes, dtype=float), np.asarray(path.vectors, dtype=float),
                      np.asarray(path.elevation, dtype=float), float(step))


def lit_matrix(scene: Scene, points: np.ndarray, sun: SunSamples) -> np.ndarray:
    """(P, S) True where the point sees the sun (above the horizon and no triangle in the way)."""
    from .bvh import build_bvh, occluded_grid

    up = sun.elevation > 0.0
    lit = np.zeros((len(points), len(sun.minutes)), dtype=bool)
    if not len(points) or not up.any():
        return lit
    if not len(scene.triangles):
        lit[:, up] = True
        return lit
    blocked = occluded_grid(build_bvh(scene.triangles), np.asarray(points, dtype=float), sun.vectors[up])
    lit[:, up] = ~np.asarray(blocked, dtype=bool)
    return lit


def runs(lit: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive True samples of a 1-D boolean array."""
    padded = np.concatenate([[False], lit.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


@dataclass(frozen=True)
class Hours:
    cumulative: float  # minutes
    longest: float  # minutes, the longest continuous interval
    intervals: list[tuple[float, float]]  # [start, end) minutes of true solar time


def sunlit_hours(lit: np.ndarray, sun: SunSamples, band: tuple[float, float] = (0.0, 24.0),
                 min_slice: float = 0.0) -> Hours:
    """Sunlit time of one point (or of a window's points all lit at once) within ``band`` (hours)."""
    in_band = (sun.minutes >= band[0] * 60.0 - 1e-9) & (sun.minutes < band[1] * 60.0 - 1e-9)
    intervals = []
    for i, j in runs(lit & in_band):
        start, end = float(sun.minutes[i]), float(sun.minutes[j - 1]) + sun.step
        if end - start >= min_slice - 1e-9:
            intervals.append((start, end))
    total = sum(e - s for s, e in intervals)
    return Hours(total, max((e - s for s, e in intervals), default=0.0), intervals)


def window_lit(lit: np.ndarray, members: Sequence[int]) -> np.ndarray:
    """Full-window sunlight (满窗日照): every test point of the window lit at the same time."""
    return np.logical_and.reduce(lit[list(members)], axis=0)


def hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"
