"""A whole-site sunlight study: the scene of every building, window test points, sunlit time per window.

Every building of the submission (on site and existing neighbours) is an
obstacle; test points sit on the residential parts' facades. For existing
neighbours the study is run twice, with and without the project's
buildings, so that a finding can say whether the project pushed a window
below the standard (the usual reason a project is refused).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..indicators.values import BuildingFigures
from ..model import Line
from .analysis import Hours, SunSamples, lit_matrix, sun_samples, sunlit_hours, window_lit
from .points import PartInput, TestPoints, facade_points
from .scene import build_scene


@dataclass(frozen=True)
class WindowResult:
    building: str
    existing: bool
    floor: int
    facade: int
    window: int
    facing: float  # degrees off due south, east negative
    point: tuple[float, float, float]  # its first test point, m
    band: tuple[float, float]  # hours of true solar time
    hours: Hours  # with all buildings
    hours_before: Hours | None  # existing neighbours only: without the project's buildings
    part: int = 0  # index of its part among the study's parts (site's first, then the neighbours')
    sampled: bool = False  # True: a point sampled along a facade without windows drawn, not a drawn window


@dataclass(frozen=True)
class Study:
    sun: SunSamples
    points: TestPoints
    windows: list[WindowResult]
    lit: np.ndarray | None = None  # (P, S) True where test point p sees sun s with every building standing


def part_inputs(figures: Sequence[BuildingFigures]) -> list[PartInput]:
    """Every part of the given buildings, for the scene and the test points."""
    out = []
    for b in figures:
        for pf in b.parts:
            p = pf.part
            floors = p.floors or 0
            storey = p.storey_height or ((p.height or 0.0) / floors if floors else 0.0)
            out.append(PartInput(b.id, p.area.rings, floors, storey, float(p.height or 0.0), p.use))
    return out


def run_study(onsite: Sequence[BuildingFigures], existing: Sequence[BuildingFigures], windows: Sequence[Line], *,
              latitude: float, longitude: float, north_angle: float, day, band_of: Callable[[float], tuple],
              step: float = 1.0, min_slice: float = 0.0, spacing: float = 0.6) -> Study:
    """Sunlit time of every window of the residential parts; ``band_of(facing)`` gives its effective band (hours)."""
    parts = part_inputs(list(onsite) + list(existing))
    n_onsite = sum(len(b.parts) for b in onsite)
    points = facade_points(parts, north_angle, windows, spacing)
    bands = [band_of(f) for f in points.facing]
    start = min((b[0] for b in bands), default=9.0)
    end = max((b[1] for b in bands), default=15.0)
    sun = sun_samples(latitude, longitude, day, start, end, step, north_angle)
    scene = build_scene([(p.rings, p.height) for p in parts])
    lit = lit_matrix(scene, points.xyz, sun)
    old = points.part >= n_onsite
    lit_before = None
    if old.any():
        before = build_scene([(p.rings, p.height) for p in parts[n_onsite:]])
        lit_before = np.zeros_like(lit)
        lit_before[old] = lit_matrix(before, points.xyz[old], sun)
    members: dict[int, list[int]] = defaultdict(list)
    for i, w in enumerate(points.window):
        members[int(w)].append(i)
    results = []
    for w, idx in members.items():
        i = idx[0]
        band = bands[i]
        hours = sunlit_hours(window_lit(lit, idx), sun, band, min_slice)
        before = sunlit_hours(window_lit(lit_before, idx), sun, band, min_slice) if old[i] else None
        results.append(WindowResult(points.building[i], bool(old[i]), int(points.floor[i]), int(points.facade[i]), w,
                                    float(points.facing[i]), tuple(float(v) for v in points.xyz[i]), band, hours,
                                    before, int(points.part[i]), bool(points.sampled[i])))
    return Study(sun, points, results, lit)


def parse_hhmm(text: str) -> float:
    """'09:30' -> 9.5 hours."""
    h, _, m = str(text).partition(":")
    return int(h) + (int(m) if m else 0) / 60.0
