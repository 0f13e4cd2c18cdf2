"""Preloaded by the batch's fork server (:mod:`drawcheck.batch.isolation`): pay start-up once.

Importing this module imports what a check needs (ezdxf, shapely, numba,
ifcopenshell, the readers, rules and reports) and checks a small generated
submission with every shipped pack, so the numba kernels are loaded from
their cache (or compiled) in the server, and every forked child starts
with them in memory. It never raises: a fork server that failed to warm
still forks working children, they only start slower.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

#: The warm-up submission: a 100 m site with a rounded corner, two residential
#: buildings 20 m apart and a green area, in metres, with every shipped pack.
_MANIFEST = """\
[project]
name = "warm-up"
inputs = ["site.dxf"]
packs = [{packs}]

[site]
latitude = 31.23
longitude = 121.47
north_angle = 0.0

[conditions]
land_use = "residential"
far_max = 2.0
climate_zone = "III"
city_size = "large"
"""


def _warm_up() -> None:
    import ezdxf

    from ..pipeline import check
    from ..readers import ifc  # noqa: F401 - imports ifcopenshell for the IFC route
    from ..reports import html, sarif  # noqa: F401
    from ..standards.packs import BUILTIN_PACKS, available_packs

    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0, 0), (90, 0, 0.4142135623730951), (100, 10, 0), (100, 100, 0), (0, 100, 0)],
                       format="xyb", close=True, dxfattribs={"layer": "用地红线"})
    for label, x in (("1# 6F", 10.0), ("2# 6F", 50.0)):
        msp.add_lwpolyline([(x, 40), (x + 20, 40), (x + 20, 52), (x, 52)], close=True, dxfattribs={"layer": "建筑轮廓"})
        msp.add_text(label, dxfattribs={"layer": "建筑轮廓", "height": 2.0}).set_placement((x + 2, 45))
    msp.add_lwpolyline([(10, 70), (40, 70), (40, 90), (10, 90)], close=True, dxfattribs={"layer": "绿地"})
    packs = ", ".join(f'"{p}"' for p in available_packs() if p not in BUILTIN_PACKS)
    with tempfile.TemporaryDirectory(prefix="drawcheck-warm-") as folder:
        doc.saveas(Path(folder) / "site.dxf")
        (Path(folder) / "drawcheck.toml").write_text(_MANIFEST.format(packs=packs), encoding="utf-8")
        check(Path(folder)).to_json()


try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _warm_up()
except Exception:  # noqa: BLE001 - see the module docstring
    pass
