"""Per-rule fixtures of the sunlight rules (shanghai-sunlight 2021/housing, gb50180-2018 4.0.9).

A slab 40 x 12 m (long side east-west, south facade at y = 20) of 6 floors x 3 m.
Unobstructed, every facade facing south of the east-west line sees the sun for its whole
band on the design day (Shanghai: south 09:00-15:00, east 09:00-10:30 = 90 min, west
13:30-15:00 = 90 min; GB 50180 大寒日 08:00-16:00, at least 4 h on each of the three), so
both rules pass. A 60 m tower whose north wall stands 10 m south of it leaves the
ground-floor south windows no sun in the band: the tower top is 60 - 0.9 = 59.1 m above
those points and 10 m away, so the sun would need atan(59.1 / 10) = 80.4° of elevation; it
peaks at 35.3° on 冬至日 (and 38.4° on 大寒日) at 31.2° N. Other windows of the slab get
some sun round the tower's ends. Findings are one per facade, measured at its worst window;
only the Shanghai case asserts its measured value: its first finding (by message) is the due-east
facade, whose southern ground-floor point (70.05, 20.3, 0.9) sees no sun in its band 09:00-10:30:
the sun stands 43.8-24.3° east of south (hour angle -45 to -22.5°, declination -23.44°) and 20.4-31.2° high
then, so the ray toward it meets the tower's north face (y = 10, 10.3 m south) at
x = 70.05 + 10.3 tan(43.8-24.3°) = 79.9-74.7 m, inside the tower's 20-80 m, and at most
0.9 + (10.3 / cos 43.8°) tan 31.2° = 9.6 m up, far below its 60 m.
"""

from __future__ import annotations

from fixture_plans import Case, Plan

SH, GB = "shanghai-sunlight:2021/housing", "gb50180-2018:4.0.9"


def _slab(packs, tower: bool = False, use: str = "住宅", **conditions) -> Plan:
    p = Plan().site(0, -60, 100, 60)
    p.packs = packs
    p.building(f"1# 6F H=18.0 {use}", 30, 20, 70, 32)
    if tower:
        p.building("2# 20F H=60.0 办公", 20, -20, 80, 10)  # 60 m tall, north wall 10 m south of 1#
    p.conditions.update(conditions)
    return p


CASES: list[Case] = [
    Case(SH, "pass-unobstructed-slab", lambda: _slab(["shanghai-sunlight"])),
    Case(SH, "fail-behind-a-60m-tower", lambda: _slab(["shanghai-sunlight"], tower=True), measured=0, required=60),
    Case(SH, "na-no-housing", lambda: _slab(["shanghai-sunlight"], use="办公")),
    Case(GB, "pass-unobstructed-slab-zone-iii", lambda: _slab(["gb50180-2018"], climate_zone="III")),
    Case(GB, "fail-behind-a-60m-tower-zone-iii", lambda: _slab(["gb50180-2018"], tower=True, climate_zone="III"),
         required=120),
    Case(GB, "notrun-no-climate-zone", lambda: _slab(["gb50180-2018"])),
    Case(GB, "na-no-housing", lambda: _slab(["gb50180-2018"], use="办公", climate_zone="III")),
]
