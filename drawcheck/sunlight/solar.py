"""Sun position and true solar time (真太阳时) for sunlight analysis (日照分析).

The sun's geocentric coordinates follow the NREL Solar Position Algorithm
(SPA, Reda & Andreas): Earth's heliocentric longitude, latitude and radius
from the VSOP87 periodic terms, nutation, aberration, apparent sidereal time,
then the observer's parallax to topocentric coordinates.  Two reductions keep
the cost down, and were measured against the full SPA (pvlib ``spa_python``):

* the VSOP87 series keeps the SPA's 64 heliocentric-longitude terms of order
  0 but only the larger terms of the higher orders, of the latitude and of
  the radius (see ``_EARTH``); nutation keeps the 13 largest of the 63 IAU
  1980 terms (``_NUTATION``).  Measured against the full SPA: apparent
  longitude within 0.05" (solar-term instants within ~1 s over 2000-2050),
  elevation and azimuth within 3e-6 deg on the design days
  (tests/test_solar.py).  A textbook low-precision series (mean anomaly +
  equation of centre, Meeus ch. 25, the NOAA calculator's formulas) was
  measured at up to 0.009 deg: too close to a 0.01 deg budget.
* the slowly varying geocentric quantities (apparent ecliptic longitude and
  latitude, radius, true obliquity, nutation in longitude) are evaluated at
  whole days of Terrestrial Time (noon TT) and interpolated with a four-point
  cubic; the interpolation error is below 1e-6 deg.  Node values are cached
  while consecutive instants fall in the same or an adjacent day, so a day at
  one-minute steps costs a handful of series evaluations.  The result for an
  instant does not depend on the other instants in the array.

Only the *geometric* position is computed: no atmospheric refraction (the
standards measure sunlight geometrically).  Time is Unix seconds (UTC) or
Julian days (UT); UTC is used as UT1 (|UT1 - UTC| < 0.9 s, i.e. < 0.004 deg of
Earth rotation), as pvlib does.  Angles are degrees: elevation above the
horizon, azimuth clockwise from true north (0 = N, 90 = E).

True solar time is the local apparent solar time: 12:00 when the sun crosses
the local meridian, i.e. 12 h + geocentric hour angle / 15.  It equals the
local mean solar time (UT + longitude / 15 h) plus the equation of time, both
from the same solar model, so conversions are consistent to microseconds.

References
----------
Reda, I. and Andreas, A. (2004, revised 2008). Solar Position Algorithm for
Solar Radiation Applications. NREL/TP-560-34302; Solar Energy 76(5), 577-589.
(Tables A4.2 Earth periodic terms, A4.3 nutation; eqs. 3-47.)

Meeus, J. (1998). Astronomical Algorithms, 2nd ed. Willmann-Bell.
Ch. 12 (sidereal time), 22 (nutation and obliquity), 25 (solar coordinates),
28 (equation of time), 32 and Appendix III (VSOP87 Earth terms).

GB 50180-2018 城市居住区规划设计标准, 4.0.9 and table 4.0.9: sunlight hours
are counted in true solar time, 大寒日 8:00-16:00, 冬至日 9:00-15:00.
《上海市日照分析技术规范》(沪规划资源建〔2021〕437号): true solar time,
time step <= 1 min, reference site 121°28'E 31°14'N.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import NamedTuple

import numpy as np

from ..geometry.jit import njit

__all__ = [
    "DELTA_T",
    "BEIJING_UTC_OFFSET",
    "SHANGHAI_LATITUDE",
    "SHANGHAI_LONGITUDE",
    "SunPath",
    "sun_position",
    "sun_position_jd",
    "unix_to_jd",
    "jd_to_unix",
    "equation_of_time",
    "true_solar_hours",
    "instants_for_true_solar_times",
    "solar_term_instant",
    "design_day",
    "sun_vectors",
]

#: Default TT - UT1 (s). Observed: 64.1 s (2001), 65.8 s (2008), 69.4 s
#: (2020), 69.2 s (2024, IERS Bulletin A / USNO).  ΔT only moves the sun along
#: its orbit (0.041 deg per hour of time), so a 10 s error shifts the position
#: by ~1e-4 deg: 69 s serves 1990-2035.
DELTA_T = 69.0
#: Chinese calendars date solar terms (节气) in Beijing time, UTC+8.
BEIJING_UTC_OFFSET = _dt.timedelta(hours=8)
#: Shanghai reference site of 《上海市日照分析技术规范》2021: 121°28'E 31°14'N.
SHANGHAI_LONGITUDE = 121.0 + 28.0 / 60.0
SHANGHAI_LATITUDE = 31.0 + 14.0 / 60.0

_UNIX_J2000_DAYS = 10957.5  # 2000-01-01 12:00 UTC (JD 2451545.0) in days since 1970-01-01
_JD_UNIX_EPOCH = 2440587.5
_D2R = math.pi / 180.0
_R2D = 180.0 / math.pi
_AS2R = _D2R / 3600.0  # arcseconds to radians
_NO_NODE = -(2**62)  # cache sentinel: no day cached yet

# VSOP87 Earth periodic terms (Reda & Andreas 2004, table A4.2 = Meeus 1998,
# appendix III).  Kept: all of L0 and of the latitude B; L1 terms >= 45e-8 rad
# (the dropped ones are multiplied by |tau| <= 0.1 in 1900-2100: < 0.06"),
# the three largest of L2 and two of L3 (tau^2, tau^3 make the rest
# negligible); the radius only feeds aberration and parallax, so nine R terms
# hold it to 5e-5 au (< 0.001" of aberration).
# Rows: (series, power of tau, amplitude [1e-8 rad or 1e-8 au], phase [rad],
# frequency [rad per Julian millennium]); series 0 = L, 1 = B, 2 = R.
_EARTH = np.array([
    # L0
    (0, 0, 175347046.0, 0.0, 0.0),
    (0, 0, 3341656.0, 4.6692568, 6283.07585),
    (0, 0, 34894.0, 4.6261, 12566.1517),
    (0, 0, 3497.0, 2.7441, 5753.3849),
    (0, 0, 3418.0, 2.8289, 3.5231),
    (0, 0, 3136.0, 3.6277, 77713.7715),
    (0, 0, 2676.0, 4.4181, 7860.4194),
    (0, 0, 2343.0, 6.1352, 3930.2097),
    (0, 0, 1324.0, 0.7425, 11506.7698),
    (0, 0, 1273.0, 2.0371, 529.691),
    (0, 0, 1199.0, 1.1096, 1577.3435),
    (0, 0, 990.0, 5.233, 5884.927),
    (0, 0, 902.0, 2.045, 26.298),
    (0, 0, 857.0, 3.508, 398.149),
    (0, 0, 780.0, 1.179, 5223.694),
    (0, 0, 753.0, 2.533, 5507.553),
    (0, 0, 505.0, 4.583, 18849.228),
    (0, 0, 492.0, 4.205, 775.523),
    (0, 0, 357.0, 2.92, 0.067),
    (0, 0, 317.0, 5.849, 11790.629),
    (0, 0, 284.0, 1.899, 796.298),
    (0, 0, 271.0, 0.315, 10977.079),
    (0, 0, 243.0, 0.345, 5486.778),
    (0, 0, 206.0, 4.806, 2544.314),
    (0, 0, 205.0, 1.869, 5573.143),
    (0, 0, 202.0, 2.458, 6069.777),
    (0, 0, 156.0, 0.833, 213.299),
    (0, 0, 132.0, 3.411, 2942.463),
    (0, 0, 126.0, 1.083, 20.775),
    (0, 0, 115.0, 0.645, 0.98),
    (0, 0, 103.0, 0.636, 4694.003),
    (0, 0, 102.0, 0.976, 15720.839),
    (0, 0, 102.0, 4.267, 7.114),
    (0, 0, 99.0, 6.21, 2146.17),
    (0, 0, 98.0, 0.68, 155.42),
    (0, 0, 86.0, 5.98, 161000.69),
    (0, 0, 85.0, 1.3, 6275.96),
    (0, 0, 85.0, 3.67, 71430.7),
    (0, 0, 80.0, 1.81, 17260.15),
    (0, 0, 79.0, 3.04, 12036.46),
    (0, 0, 75.0, 1.76, 5088.63),
    (0, 0, 74.0, 3.5, 3154.69),
    (0, 0, 74.0, 4.68, 801.82),
    (0, 0, 70.0, 0.83, 9437.76),
    (0, 0, 62.0, 3.98, 8827.39),
    (0, 0, 61.0, 1.82, 7084.9),
    (0, 0, 57.0, 2.78, 6286.6),
    (0, 0, 56.0, 4.39, 14143.5),
    (0, 0, 56.0, 3.47, 6279.55),
    (0, 0, 52.0, 0.19, 12139.55),
    (0, 0, 52.0, 1.33, 1748.02),
    (0, 0, 51.0, 0.28, 5856.48),
    (0, 0, 49.0, 0.49, 1194.45),
    (0, 0, 41.0, 5.37, 8429.24),
    (0, 0, 41.0, 2.4, 19651.05),
    (0, 0, 39.0, 6.17, 10447.39),
    (0, 0, 37.0, 6.04, 10213.29),
    (0, 0, 37.0, 2.57, 1059.38),
    (0, 0, 36.0, 1.71, 2352.87),
    (0, 0, 36.0, 1.78, 6812.77),
    (0, 0, 33.0, 0.59, 17789.85),
    (0, 0, 30.0, 0.44, 83996.85),
    (0, 0, 30.0, 2.74, 1349.87),
    (0, 0, 25.0, 3.16, 4690.48),
    # L1
    (0, 1, 628331966747.0, 0.0, 0.0),
    (0, 1, 206059.0, 2.678235, 6283.07585),
    (0, 1, 4303.0, 2.6351, 12566.1517),
    (0, 1, 425.0, 1.59, 3.523),
    (0, 1, 119.0, 5.796, 26.298),
    (0, 1, 109.0, 2.966, 1577.344),
    (0, 1, 93.0, 2.59, 18849.23),
    (0, 1, 72.0, 1.14, 529.69),
    (0, 1, 68.0, 1.87, 398.15),
    (0, 1, 67.0, 4.41, 5507.55),
    (0, 1, 59.0, 2.89, 5223.69),
    (0, 1, 56.0, 2.17, 155.42),
    (0, 1, 45.0, 0.4, 796.3),
    # L2, L3
    (0, 2, 52919.0, 0.0, 0.0),
    (0, 2, 8720.0, 1.0721, 6283.0758),
    (0, 2, 309.0, 0.867, 12566.152),
    (0, 3, 289.0, 5.844, 6283.076),
    (0, 3, 35.0, 0.0, 0.0),
    # B0, B1
    (1, 0, 280.0, 3.199, 84334.662),
    (1, 0, 102.0, 5.422, 5507.553),
    (1, 0, 80.0, 3.88, 5223.69),
    (1, 0, 44.0, 3.7, 2352.87),
    (1, 0, 32.0, 4.0, 1577.34),
    (1, 1, 9.0, 3.9, 5507.55),
    (1, 1, 6.0, 1.73, 5223.69),
    # R0, R1, R2
    (2, 0, 100013989.0, 0.0, 0.0),
    (2, 0, 1670700.0, 3.0984635, 6283.07585),
    (2, 0, 13956.0, 3.05525, 12566.1517),
    (2, 0, 3084.0, 5.1985, 77713.7715),
    (2, 0, 1628.0, 1.1739, 5753.3849),
    (2, 0, 1576.0, 2.8469, 7860.4194),
    (2, 1, 103019.0, 1.10749, 6283.07585),
    (2, 1, 1721.0, 1.0644, 12566.1517),
    (2, 2, 4359.0, 5.7846, 6283.0758),
])
_MAX_POWER = 3

# Nutation, IAU 1980 theory (Reda & Andreas 2004 table A4.3 = Meeus 1998 table
# 22.A), the 13 terms with |amplitude| >= 0.0123" in longitude; the 50 dropped
# add up to < 0.09" (2e-5 deg).  Rows: multiples of D, M, M', F, Omega; then
# longitude coefficients A + B T and obliquity coefficients C + D T, in
# 0.0001 arcsec (T in Julian centuries TT).
_NUTATION = np.array([
    (0, 0, 0, 0, 1, -171996.0, -174.2, 92025.0, 8.9),
    (-2, 0, 0, 2, 2, -13187.0, -1.6, 5736.0, -3.1),
    (0, 0, 0, 2, 2, -2274.0, -0.2, 977.0, -0.5),
    (0, 0, 0, 0, 2, 2062.0, 0.2, -895.0, 0.5),
    (0, 1, 0, 0, 0, 1426.0, -3.4, 54.0, -0.1),
    (0, 0, 1, 0, 0, 712.0, 0.1, -7.0, 0.0),
    (-2, 1, 0, 2, 2, -517.0, 1.2, 224.0, -0.6),
    (0, 0, 0, 2, 1, -386.0, -0.4, 200.0, 0.0),
    (0, 0, 1, 2, 2, -301.0, 0.0, 129.0, -0.1),
    (-2, -1, 0, 2, 2, 217.0, -0.5, -95.0, 0.3),
    (-2, 0, 1, 0, 0, -158.0, 0.0, 0.0, 0.0),
    (-2, 0, 0, 2, 1, 129.0, 0.1, -70.0, 0.0),
    (0, 0, -1, 2, 2, 123.0, 0.0, -53.0, 0.0),
], dtype=np.float64)


# --------------------------------------------------------------------------
# kernels


@njit(cache=True)
def _state(x: float, out: np.ndarray) -> None:
    """Geocentric state of the sun at ``x`` days since J2000.0 TT.

    Writes ``out[0]`` apparent ecliptic longitude (rad, not reduced: it grows
    by 2 pi a year, so it interpolates), ``out[1]`` ecliptic latitude (rad),
    ``out[2]`` distance (au), ``out[3]`` true obliquity (rad), ``out[4]``
    nutation in longitude (rad).  Reda & Andreas eqs. 9-26.
    """
    tau = x / 365250.0
    sums = np.zeros((3, _MAX_POWER + 1))
    for i in range(_EARTH.shape[0]):
        s = int(_EARTH[i, 0])
        p = int(_EARTH[i, 1])
        sums[s, p] += _EARTH[i, 2] * math.cos(_EARTH[i, 3] + _EARTH[i, 4] * tau)
    v = np.zeros(3)
    for s in range(3):
        acc = 0.0
        for p in range(_MAX_POWER, -1, -1):  # Horner in tau
            acc = acc * tau + sums[s, p]
        v[s] = acc * 1e-8
    t = x / 36525.0
    # Nutation in longitude and obliquity: the largest IAU 1980 terms.
    d_ = (297.85036 + t * (445267.111480 + t * (-0.0019142 + t / 189474.0))) * _D2R
    m_ = (357.52772 + t * (35999.050340 + t * (-0.0001603 - t / 300000.0))) * _D2R
    mm = (134.96298 + t * (477198.867398 + t * (0.0086972 + t / 56250.0))) * _D2R
    f_ = (93.27191 + t * (483202.017538 + t * (-0.0036825 + t / 327270.0))) * _D2R
    om = (125.04452 + t * (-1934.136261 + t * (0.0020708 + t / 450000.0))) * _D2R
    dpsi = 0.0
    deps = 0.0
    for i in range(_NUTATION.shape[0]):
        row = _NUTATION[i]
        arg = row[0] * d_ + row[1] * m_ + row[2] * mm + row[3] * f_ + row[4] * om
        dpsi += (row[5] + row[6] * t) * math.sin(arg)
        deps += (row[7] + row[8] * t) * math.cos(arg)
    dpsi *= 1e-4 * _AS2R
    deps *= 1e-4 * _AS2R
    eps0 = (84381.448 + t * (-46.8150 + t * (-0.00059 + t * 0.001813))) * _AS2R  # Meeus 22.2
    r = v[2]
    aberration = -20.4898 * _AS2R / r
    out[0] = v[0] + math.pi + dpsi + aberration
    out[1] = -v[1]
    out[2] = r
    out[3] = eps0 + deps
    out[4] = dpsi


@njit(cache=True)
def _interpolated_state(x: float, nodes: np.ndarray, cache: np.ndarray, out: np.ndarray) -> None:
    """``_state`` by four-point cubic interpolation between whole TT days.

    ``nodes`` (4, 5) holds the states at days k-1 .. k+2 for ``cache[0]`` = k;
    it is refilled (or shifted by one day) when ``x`` leaves [k, k+1).
    """
    k = int(math.floor(x))
    c = cache[0]
    if k != c:
        if k == c + 1:
            for j in range(3):
                nodes[j, :] = nodes[j + 1, :]
            _state(k + 2.0, nodes[3])
        elif k == c - 1:
            for j in range(3, 0, -1):
                nodes[j, :] = nodes[j - 1, :]
            _state(k - 1.0, nodes[0])
        else:
            for j in range(4):
                _state(k - 1.0 + j, nodes[j])
        cache[0] = k
    u = x - k
    w0 = -u * (u - 1.0) * (u - 2.0) / 6.0
    w1 = (u + 1.0) * (u - 1.0) * (u - 2.0) / 2.0
    w2 = -(u + 1.0) * u * (u - 2.0) / 2.0
    w3 = (u + 1.0) * u * (u - 1.0) / 6.0
    for m in range(5):
        out[m] = w0 * nodes[0, m] + w1 * nodes[1, m] + w2 * nodes[2, m] + w3 * nodes[3, m]


@njit(cache=True)
def _equatorial(d: float, dt_days: float, interpolate: bool, nodes: np.ndarray,
                cache: np.ndarray, st: np.ndarray, out: np.ndarray) -> None:
    """Geocentric apparent equatorial coordinates at ``d`` days since J2000.0 UT.

    Writes ``out[0]`` right ascension (deg), ``out[1]`` declination (rad),
    ``out[2]`` apparent Greenwich sidereal time (deg), ``out[3]`` distance
    (au).  Reda & Andreas eqs. 27-30 (Meeus 12.4 sidereal time).
    """
    x = d + dt_days
    if interpolate:
        _interpolated_state(x, nodes, cache, st)
    else:
        _state(x, st)
    lam = st[0]
    beta = st[1]
    eps = st[3]
    sl = math.sin(lam)
    se = math.sin(eps)
    ce = math.cos(eps)
    alpha = math.atan2(sl * ce - math.tan(beta) * se, math.cos(lam)) * _R2D
    delta = math.asin(math.sin(beta) * ce + math.cos(beta) * se * sl)
    t = d / 36525.0
    frac = d - math.floor(d)
    # 360.98564736629 deg/day split so the large whole-day turns drop exactly.
    theta0 = 280.46061837 + 360.0 * frac + 0.98564736629 * d + t * t * (0.000387933 - t / 38710000.0)
    out[0] = alpha
    out[1] = delta
    out[2] = theta0 + st[4] * ce * _R2D
    out[3] = st[2]


@njit(cache=True)
def _wrap180(a: float) -> float:
    return a - 360.0 * math.floor((a + 180.0) / 360.0)


@njit(cache=True)
def _sun_position_kernel(days: np.ndarray, latitude: float, longitude: float, altitude: float,
                         dt_days: float, interpolate: bool):
    """Topocentric geometric elevation and azimuth (deg) at ``days`` since J2000.0 UT.

    Reda & Andreas eqs. 31-46 (parallax, topocentric coordinates) without the
    refraction step.  Non-finite instants give NaN.
    """
    n = days.shape[0]
    elevation = np.empty(n)
    azimuth = np.empty(n)
    nodes = np.zeros((4, 5))
    cache = np.full(1, _NO_NODE, dtype=np.int64)
    st = np.zeros(5)
    eq = np.zeros(4)
    phi = latitude * _D2R
    sphi = math.sin(phi)
    cphi = math.cos(phi)
    u = math.atan(0.99664719 * math.tan(phi))
    xt = math.cos(u) + altitude / 6378140.0 * cphi
    yt = 0.99664719 * math.sin(u) + altitude / 6378140.0 * sphi
    for i in range(n):
        d = days[i]
        if not math.isfinite(d):
            elevation[i] = np.nan
            azimuth[i] = np.nan
            continue
        _equatorial(d, dt_days, interpolate, nodes, cache, st, eq)
        h = (eq[2] + longitude - eq[0]) * _D2R
        delta = eq[1]
        xi = 8.794 * _AS2R / eq[3]  # equatorial horizontal parallax
        sxi = math.sin(xi)
        ch = math.cos(h)
        cd = math.cos(delta)
        den = cd - xt * sxi * ch
        dalpha = math.atan2(-xt * sxi * math.sin(h), den)
        delta_t = math.atan2((math.sin(delta) - yt * sxi) * math.cos(dalpha), den)
        ht = h - dalpha
        cht = math.cos(ht)
        elevation[i] = math.asin(sphi * math.sin(delta_t) + cphi * math.cos(delta_t) * cht) * _R2D
        gamma = math.atan2(math.sin(ht), cht * sphi - math.tan(delta_t) * cphi) * _R2D
        az = gamma + 180.0
        azimuth[i] = az - 360.0 * math.floor(az / 360.0)
    return elevation, azimuth


@njit(cache=True)
def _eot_kernel(days: np.ndarray, dt_days: float, interpolate: bool) -> np.ndarray:
    """Equation of time (deg of rotation; apparent minus mean solar time) at ``days`` since J2000.0 UT.

    EoT = 12 h + (GAST - RA) / 15 - UT, wrapped to +-12 h: the hour angle of
    the true sun minus that of the mean sun (Meeus ch. 28, definition).
    """
    n = days.shape[0]
    out = np.empty(n)
    nodes = np.zeros((4, 5))
    cache = np.full(1, _NO_NODE, dtype=np.int64)
    st = np.zeros(5)
    eq = np.zeros(4)
    for i in range(n):
        d = days[i]
        if not math.isfinite(d):
            out[i] = np.nan
            continue
        _equatorial(d, dt_days, interpolate, nodes, cache, st, eq)
        ut_deg = 360.0 * ((d + 0.5) - math.floor(d + 0.5))
        out[i] = _wrap180(eq[2] - eq[0] + 180.0 - ut_deg)
    return out


@njit(cache=True)
def _tst_instants_kernel(day0: float, longitude: float, hours: np.ndarray, dt_days: float) -> np.ndarray:
    """Days since J2000.0 UT at which true solar time, counted from ``day0`` (a
    UT midnight in days since J2000.0 UT), reaches ``hours`` at ``longitude``.

    Fixed-point iteration t <- t - (TST(t) - target): the equation of time
    changes by < 30 s a day, so each step shrinks the error ~3000-fold.  The
    first guess uses the equation of time of the previous solution, so dense
    ordered targets converge in two evaluations.  Stops when the step is
    below 1e-9 day; the error left is ~3000 times smaller (< 1e-7 s).
    """
    n = hours.shape[0]
    out = np.empty(n)
    nodes = np.zeros((4, 5))
    cache = np.full(1, _NO_NODE, dtype=np.int64)
    st = np.zeros(5)
    eq = np.zeros(4)
    eot_h = 0.0
    for i in range(n):
        target = hours[i]
        if not math.isfinite(target):
            out[i] = np.nan
            continue
        d = day0 + (target - longitude / 15.0 - eot_h) / 24.0
        for _ in range(8):
            _equatorial(d, dt_days, True, nodes, cache, st, eq)
            ut_deg = 360.0 * ((d + 0.5) - math.floor(d + 0.5))
            eot_h = _wrap180(eq[2] - eq[0] + 180.0 - ut_deg) / 15.0
            tst = (d - day0) * 24.0 + longitude / 15.0 + eot_h
            step = (tst - target) / 24.0
            d -= step
            if abs(step) < 1e-9:
                break
        out[i] = d
    return out


@njit(cache=True)
def _apparent_longitude(x: float) -> float:
    """Apparent geocentric ecliptic longitude of the sun (deg, not reduced) at ``x`` days since J2000.0 TT."""
    st = np.zeros(5)
    _state(x, st)
    return st[0] * _R2D


# --------------------------------------------------------------------------
# public API


def unix_to_jd(unix_seconds):
    """Julian day (UT) of Unix seconds (UTC): JD = s / 86400 + 2440587.5."""
    return np.asarray(unix_seconds, dtype=np.float64) / 86400.0 + _JD_UNIX_EPOCH


def jd_to_unix(julian_days):
    """Unix seconds (UTC) of Julian days (UT)."""
    return (np.asarray(julian_days, dtype=np.float64) - _JD_UNIX_EPOCH) * 86400.0


def _as_unix(unix_seconds) -> np.ndarray:
    a = np.asarray(unix_seconds)
    if a.dtype.kind == "M":
        ns = a.astype("datetime64[ns]")
        out = ns.astype(np.int64).astype(np.float64) / 1e9
        return np.where(np.isnat(ns), np.nan, out)
    return a.astype(np.float64)


def _check_site(latitude: float, longitude: float) -> None:
    if not (math.isfinite(latitude) and -90.0 <= latitude <= 90.0):
        raise ValueError(f"latitude must be in [-90, 90] degrees, got {latitude!r}")
    if not (math.isfinite(longitude) and -180.0 <= longitude <= 180.0):
        raise ValueError(f"longitude must be in [-180, 180] degrees (east positive), got {longitude!r}")


def _days(unix: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(unix.ravel() / 86400.0 - _UNIX_J2000_DAYS)


def sun_position(unix_seconds, latitude: float, longitude: float, altitude: float = 0.0,
                 delta_t: float = DELTA_T, interpolate: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Geometric (unrefracted) topocentric sun position.

    Parameters
    ----------
    unix_seconds : array_like of float, or of numpy datetime64
        Instants as seconds since 1970-01-01 00:00 UTC (any shape; naive
        datetime64 values are read as UTC).  NaN / NaT give NaN.
    latitude, longitude : float
        Site, degrees; north and east positive.
    altitude : float
        Height of the site above sea level, m (parallax only; negligible).
    delta_t : float
        TT - UT1 in seconds; see :data:`DELTA_T`.
    interpolate : bool
        Interpolate the daily-smooth solar coordinates between whole days
        (fast for dense, ordered instants; error < 1e-6 deg).  False evaluates
        the series at each instant (cheaper for a few scattered instants).

    Returns
    -------
    elevation, azimuth : ndarray
        Degrees, the shape of the input.  Elevation is the angle of the sun's
        centre above the astronomical horizon without refraction; azimuth is
        clockwise from true north in [0, 360).

    References
    ----------
    Reda & Andreas (2004/2008), NREL/TP-560-34302, eqs. 1-46 without refraction
    (eq. 42); truncated terms as in the module docstring.
    """
    _check_site(latitude, longitude)
    unix = _as_unix(unix_seconds)
    el, az = _sun_position_kernel(_days(unix), float(latitude), float(longitude), float(altitude),
                                  float(delta_t) / 86400.0, bool(interpolate))
    return el.reshape(unix.shape), az.reshape(unix.shape)


def sun_position_jd(julian_days, latitude: float, longitude: float, altitude: float = 0.0,
                    delta_t: float = DELTA_T, interpolate: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sun_position` for instants given as Julian days (UT).

    A float64 Julian day resolves ~40 microseconds.
    """
    return sun_position(jd_to_unix(julian_days), latitude, longitude, altitude, delta_t, interpolate)


def equation_of_time(unix_seconds, delta_t: float = DELTA_T) -> np.ndarray:
    """Equation of time in minutes: true (apparent) minus mean solar time.

    Positive when a sundial is ahead of the mean-time clock (early November:
    about +16 min; mid-February: about -14 min).  Input as in
    :func:`sun_position`; output has its shape.

    References
    ----------
    Meeus (1998) ch. 28 (definition); the sun's right ascension and apparent
    sidereal time as in Reda & Andreas (2004) eqs. 8-28.
    """
    unix = _as_unix(unix_seconds)
    eot = _eot_kernel(_days(unix), float(delta_t) / 86400.0, True)
    return (eot * 4.0).reshape(unix.shape)


def true_solar_hours(unix_seconds, longitude: float, delta_t: float = DELTA_T) -> np.ndarray:
    """True solar time (真太阳时) at ``longitude`` (deg, east positive), hours in [0, 24).

    TST = UT + longitude / 15 h + equation of time; 12:00 is the sun's
    meridian transit.  Inverse of :func:`instants_for_true_solar_times`.

    References
    ----------
    GB 50180-2018 4.0.9 (sunlight hours in true solar time); Meeus (1998) ch. 28.
    """
    _check_site(0.0, longitude)
    unix = _as_unix(unix_seconds)
    ut_h = np.mod(unix, 86400.0) / 3600.0
    return np.mod(ut_h + longitude / 15.0 + equation_of_time(unix, delta_t) / 60.0, 24.0)


def _as_date(date) -> _dt.date:
    if isinstance(date, _dt.datetime):
        return date.date()
    if isinstance(date, _dt.date):
        return date
    if isinstance(date, str):
        return design_day(date)
    raise TypeError(f"expected a datetime.date or a design-day name/ISO date, got {date!r}")


def instants_for_true_solar_times(date, longitude: float, hours, delta_t: float = DELTA_T) -> np.ndarray:
    """UTC instants (Unix seconds) at which true solar time equals ``hours`` on ``date``.

    Parameters
    ----------
    date : datetime.date or str
        The calendar date of the true-solar-time clock at the site (a string
        goes through :func:`design_day`, so "冬至日" works).
    longitude : float
        Degrees, east positive.
    hours : array_like of float
        True solar time in hours after that date's true-solar midnight; values
        outside [0, 24) reach into the neighbouring days.  NaN gives NaN.

    Returns
    -------
    ndarray of float
        Unix seconds (UTC), the shape of ``hours``.  Round trip through
        :func:`true_solar_hours` agrees to < 1 microsecond.

    References
    ----------
    GB 50180-2018 4.0.9; 《上海市日照分析技术规范》2021 (true solar time).
    """
    _check_site(0.0, longitude)
    day = _as_date(date)
    h = np.asarray(hours, dtype=np.float64)
    day0 = (day - _dt.date(2000, 1, 1)).days - 0.5
    d = _tst_instants_kernel(float(day0), float(longitude), np.ascontiguousarray(h.ravel()),
                             float(delta_t) / 86400.0)
    return ((d + _UNIX_J2000_DAYS) * 86400.0).reshape(h.shape)


def solar_term_instant(ecliptic_longitude: float, year: int, delta_t: float = DELTA_T) -> _dt.datetime:
    """UTC instant when the sun's apparent geocentric ecliptic longitude reaches
    ``ecliptic_longitude`` (deg) in calendar ``year``, as an aware datetime.

    Solar terms (节气) are these instants: 冬至 270 deg, 小寒 285, 大寒 300,
    春分 0, ...  Newton iteration on the apparent longitude (with nutation and
    aberration), converged to ~0.01 s.  Within ~1 s of the full SPA over
    2000-2050; published almanacs differ by up to ~25 s (the SPA's own VSOP87
    truncation, ~0.0003 deg, and their delta-T), so a term within a minute
    of Beijing midnight deserves a look (2021 冬至: 23:59:09 published).
    ``year`` is the Gregorian year of the instant: each longitude is reached
    once a year, the 24 solar terms at least ~5 days from New Year (小寒,
    285 deg, about 5 January), so the first guess never picks a neighbour.

    References
    ----------
    Meeus (1998) ch. 27 (equinoxes and solstices by iteration on the apparent
    longitude); Reda & Andreas (2004) eqs. 9-24.
    """
    target = float(ecliptic_longitude) % 360.0
    dt_days = float(delta_t) / 86400.0
    jan1 = (_dt.date(int(year), 1, 1) - _dt.date(2000, 1, 1)).days - 0.5  # UT days since J2000
    # The sun is near 280 deg on 1 January and moves ~0.9856 deg a day.
    x = jan1 + dt_days + ((target - 280.0) % 360.0) / 360.0 * 365.2422
    for _ in range(20):
        step = ((target - _apparent_longitude(x) + 180.0) % 360.0 - 180.0) / (360.0 / 365.2422)
        x += step
        if abs(step) < 1e-7:
            break
    unix = (x - dt_days + _UNIX_J2000_DAYS) * 86400.0
    return _dt.datetime.fromtimestamp(round(unix, 3), tz=_dt.timezone.utc)


_DESIGN_DAYS = {
    "dongzhi": 270.0, "冬至": 270.0, "冬至日": 270.0, "winter_solstice": 270.0,
    "dahan": 300.0, "大寒": 300.0, "大寒日": 300.0,
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def design_day(name_or_date, base_year: int = 2001) -> _dt.date:
    """The date of a sunlight design day (日照标准日).

    Parameters
    ----------
    name_or_date : str or datetime.date
        "dongzhi" / "冬至" / "冬至日" (the December solstice, apparent solar
        longitude 270 deg) or "dahan" / "大寒" / "大寒日" (300 deg, in January);
        or an ISO date "YYYY-MM-DD"; a date passes through.
    base_year : int
        Year whose solar terms are used.  2001 is the Shanghai rule's base
        year; its 冬至 is 2001-12-22 and 大寒 2001-01-20.

    Returns
    -------
    datetime.date
        The Beijing-time (UTC+8) date of the solar term, as Chinese calendars
        define it.

    References
    ----------
    GB 50180-2018 4.0.9 (大寒日 / 冬至日); Meeus (1998) ch. 27.
    """
    if isinstance(name_or_date, _dt.datetime):
        return name_or_date.date()
    if isinstance(name_or_date, _dt.date):
        return name_or_date
    if not isinstance(name_or_date, str):
        raise TypeError(f"expected a design-day name or an ISO date, got {name_or_date!r}")
    key = name_or_date.strip()
    lon = _DESIGN_DAYS.get(key.lower(), _DESIGN_DAYS.get(key))
    if lon is not None:
        return (solar_term_instant(lon, base_year) + BEIJING_UTC_OFFSET).date()
    if _ISO_DATE.match(key):
        return _dt.date.fromisoformat(key)
    raise ValueError(f"unknown design day {name_or_date!r}: use 'dongzhi'/'冬至日', 'dahan'/'大寒日' or YYYY-MM-DD")


class SunPath(NamedTuple):
    """The sun over a band of true solar time, one row per time step."""

    minutes: np.ndarray  # (n,) true solar time, minutes after that day's true-solar midnight
    vectors: np.ndarray  # (n, 3) unit vectors toward the sun in the drawing frame (x, y, z up)
    elevation: np.ndarray  # (n,) degrees, geometric; <= 0 means below the horizon
    azimuth: np.ndarray  # (n,) degrees clockwise from true north


def _hours(value) -> float:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if not m:
            raise ValueError(f"expected true solar time as hours or 'HH:MM', got {value!r}")
        return int(m.group(1)) + int(m.group(2)) / 60.0
    return float(value)


def sun_vectors(lat: float, lon: float, date, start_tst, end_tst, step_minutes: float = 1.0,
                north_angle: float = 0.0, *, altitude: float = 0.0, delta_t: float = DELTA_T) -> SunPath:
    """Sun directions in the drawing's frame over a band of true solar time.

    Parameters
    ----------
    lat, lon : float
        Site, degrees, north and east positive.
    date : datetime.date or str
        Calendar date, or a design-day name / ISO date for :func:`design_day`
        (base year 2001).
    start_tst, end_tst : float or str
        True solar time in hours (8.0) or "HH:MM" ("08:00").  Samples at
        ``start + k * step`` up to and including ``end`` (within 1e-9 min).
    step_minutes : float
        Time step, minutes (> 0); the Shanghai rule asks <= 1 min.
    north_angle : float
        The manifest's ``[site] north_angle``: degrees from the drawing's +Y
        axis to true north, counter-clockwise positive.  True north is the
        drawing direction (-sin a, cos a) and true east (cos a, sin a).

    Returns
    -------
    SunPath
        ``minutes`` (n,), ``vectors`` (n, 3) unit vectors toward the sun,
        ``elevation`` and ``azimuth`` (n,) in degrees.  Every sample is
        returned; the caller drops those with elevation <= 0.

    References
    ----------
    GB 50180-2018 4.0.9 (effective bands 大寒日 8-16 h, 冬至日 9-15 h true
    solar time); 《上海市日照分析技术规范》2021 (time step <= 1 min).
    """
    _check_site(lat, lon)
    if not (math.isfinite(step_minutes) and step_minutes > 0.0):
        raise ValueError(f"step_minutes must be a positive number, got {step_minutes!r}")
    if not math.isfinite(north_angle):
        raise ValueError(f"north_angle must be finite, got {north_angle!r}")
    start = _hours(start_tst) * 60.0
    end = _hours(end_tst) * 60.0
    if not (math.isfinite(start) and math.isfinite(end)) or end < start:
        raise ValueError(f"need start_tst <= end_tst, got {start_tst!r}, {end_tst!r}")
    count = int(math.floor((end - start) / step_minutes + 1e-9)) + 1
    minutes = start + step_minutes * np.arange(count, dtype=np.float64)
    unix = instants_for_true_solar_times(_as_date(date), lon, minutes / 60.0, delta_t)
    elevation, azimuth = sun_position(unix, lat, lon, altitude, delta_t)
    el = np.radians(elevation)
    rel = np.radians(azimuth - north_angle)  # bearing measured from the drawing's north
    vectors = np.empty((count, 3))
    vectors[:, 0] = np.cos(el) * np.sin(rel)
    vectors[:, 1] = np.cos(el) * np.cos(rel)
    vectors[:, 2] = np.sin(el)
    return SunPath(minutes, vectors, elevation, azimuth)


# --------------------------------------------------------------------------
# benchmark: python -m drawcheck.sunlight.solar --bench


def _bench() -> None:  # pragma: no cover - manual tool
    import time

    def best(fn, repeat=30):
        fn()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times), float(np.median(times))

    lat, lon = SHANGHAI_LATITUDE, SHANGHAI_LONGITUDE
    day = design_day("冬至日")
    t0 = time.perf_counter()
    sun_position(np.array([0.0]), lat, lon)
    print(f"first call (compile or load cache): {1e3 * (time.perf_counter() - t0):.0f} ms")
    start = instants_for_true_solar_times(day, lon, np.array([0.0]))[0]
    unix = start + 60.0 * np.arange(1440)
    print(f"sun position, 1440 one-minute instants, {day} Shanghai (best / median):")
    b, m = best(lambda: sun_position(unix, lat, lon))
    print(f"  drawcheck, interpolated    {1e3 * b:8.3f} / {1e3 * m:8.3f} ms")
    b, m = best(lambda: sun_position(unix, lat, lon, interpolate=False))
    print(f"  drawcheck, per instant     {1e3 * b:8.3f} / {1e3 * m:8.3f} ms")
    b, m = best(lambda: sun_vectors(lat, lon, day, 0.0, 23.99, 1.0))
    print(f"  sun_vectors 00:00-23:59    {1e3 * b:8.3f} / {1e3 * m:8.3f} ms (includes the TST inversion)")
    try:
        import pandas as pd
        from pvlib import solarposition
    except ImportError:
        print("  pvlib not installed: no comparison")
        return
    times = pd.DatetimeIndex(pd.to_datetime(unix, unit="s", utc=True))
    for how in ("numpy", "numba"):
        try:
            solarposition.spa_python(times, lat, lon, delta_t=DELTA_T, how=how, numthreads=1)
            b, m = best(lambda: solarposition.spa_python(times, lat, lon, delta_t=DELTA_T, how=how,
                                                         numthreads=1), repeat=10)
            print(f"  pvlib spa_python how={how:<6} {1e3 * b:8.3f} / {1e3 * m:8.3f} ms")
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"  pvlib spa_python how={how}: failed ({exc})")


if __name__ == "__main__":  # pragma: no cover
    import sys

    if "--bench" in sys.argv[1:]:
        _bench()
    else:
        print("usage: python -m drawcheck.sunlight.solar --bench")
