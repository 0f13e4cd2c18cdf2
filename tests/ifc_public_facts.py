"""Facts about the four public IFC sample files, established by hand (not by drawcheck).

The files live in ``../shared/data/public/ifc`` beside the repository (see its
README) and are never copied in. Every number below was established in two
independent ways, both recorded here:

1. **by hand** from the STEP text: the slab's profile points, its
   ``IfcExtrudedAreaSolid`` depth and direction and the placement chain, read
   off the file and worked out below (the expressions are the arithmetic);
   ``test_ifc_public_files.py``'s ``_text_plan`` re-does this arithmetic from the
   entity attributes, with no geometry kernel;
2. **by geometry**: ``ifcopenshell.geom`` (OpenCascade kernel, world
   coordinates, openings subtracted), the plan projection of every triangle
   that is not vertical, unioned with shapely; the top is the largest vertex z.

Both agreed to 1e-9 m² (plates) and 1e-5 m (tops) on ifcopenshell
0.9.0.post1 / shapely 2.2: every floor slab and space here is a polygonal
extrusion or brep (no arcs), so triangulation is exact.
``test_ifc_public_files.py::test_facts_match_independent_geometry`` re-does
both on every run.

Semantics: convention §5, read as follows where it leaves room (each choice is
also stated at the file it concerns):

* storey elevation (m) = ``Elevation`` x unit scale; ``Elevation`` None -> the
  z of the storey's placement (m). ±0.00 is world z 0 in all four files (the
  building placement and every storey placement minus its elevation are 0).
* a storey **holds** the ``IfcSlab``s related to it by
  ``IfcRelContainedInSpatialStructure`` (directly, or as parts aggregated into
  an element it contains, e.g. an ``IfcRoof``'s slabs) and the ``IfcSpace``s
  aggregated into it by ``IfcRelAggregates`` (the only relation the schema
  allows for a space: ``IfcRelContainedInSpatialStructure`` WR31 forbids a
  spatial element as a contained element; ``ifcopenshell.util.element`` follows
  the same rule). Floor slabs: PredefinedType FLOOR, BASESLAB, NOTDEFINED or
  None; never ROOF. A storey holding floor slabs or spaces is a **floor**.
* plate = area of the union of the plan projections of the storey's floor
  slabs (openings subtracted), else of its spaces, else (an above-ground
  storey from whose floor walls at least 2.20 m tall rise: the IFC issue's
  section rule, limited so that parapets do not make a roof a floor) the
  outer boundary of the walls' section 1.2 m above the storey elevation; for
  vertical walls that is the filled outline of their plan (openings ignored).
* height = largest world z of the building's elements (``IfcElement``s in the
  building's spatial tree, including parts of aggregates and furniture in
  spaces; not ``IfcFeatureElement`` = openings, not ``IfcVirtualElement``,
  not spaces, the site or annotations) minus the world z of ±0.00.
* building id = Name, else GlobalId; an empty Name counts as none.
* a storey without a Name is named by its GlobalId (the rule §5 gives for
  building ids), so that every storey row has a label.
* ``ref_elevation`` = ``IfcSite.RefElevation`` x unit scale when the attribute
  is set (also when it is 0), else null.
* IfcOpenHouse has neither floor slab nor space: its storey is a floor by
  the wall-section rule (4 walls 5.5 m tall from z 0).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Storeys at or above this elevation (m) are above ground (convention §5).
ABOVE_GROUND_MIN = -0.1

# -- tolerances -------------------------------------------------------------------
#: Elevations (m): the report writes 3 decimals; all elevations here are exact
#: decimals in the file (up to 4e-13 m of float noise).
ELEVATION_ABS = 1e-3
#: Plate, footprint and GFA areas, relative. The facts are exact polygon areas;
#: a reader that triangulates with ifcopenshell and unions with shapely gets them
#: to 1e-9, the report rounds to 0.01 m². 0.5 % leaves room for a reader that
#: snaps or simplifies its union (a 5 mm snap along FZK-Haus' 44 m perimeter is
#: 0.2 %) while every wrong reading is far outside it: FZK-Haus' upper plate
#: without its stair opening +15.8 %, duplex Level 1 without its two exterior
#: slabs -28 %, example.ifc's plate without the footings -4.8 %, duplex GFA
#: without the Roof plate -31 %.
AREA_REL = 5e-3
#: Heights (m). The tops are exact (planar faces keep their vertices); the report
#: writes 3 decimals. 5 mm separates every wrong reading: duplex without its
#: skylights (windows) 6.609 (-26 mm) or with its Roof space 9.000, FZK-Haus
#: without the roof slabs 6.2715 (rafters, -46 mm), IfcOpenHouse without the
#: roof slabs 5.500, example.ifc without its walls 4.798.
HEIGHT_ABS = 5e-3
#: The independent re-computation in the tests must match these facts this closely.
RECHECK_AREA_REL = 1e-6
RECHECK_HEIGHT_ABS = 1e-4


@dataclass(frozen=True)
class Storey:
    name: str | None
    global_id: str
    #: m, relative to ±0.00
    elevation: float
    above_ground: bool
    floor: bool
    #: m², None when the storey is not a floor
    plate_area: float | None
    #: "slabs" or "spaces": what the plate is the union of (None: not a floor)
    plate_from: str | None = None
    #: GlobalIds of the floor slabs (or spaces) whose union is the plate
    plate_elements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Building:
    #: report ``buildings[].id``: Name, else GlobalId
    id: str
    global_id: str
    name: str | None
    #: sorted by elevation
    storeys: tuple[Storey, ...]
    floors_above: int
    floors_below: int
    #: m², None when there is no above-ground floor storey
    footprint_area: float | None
    #: m², sum of the above-ground plates; None when there is none
    gfa: float | None
    #: m above ±0.00
    height: float
    #: GlobalId of an element whose top is the building's top
    top_element: str


@dataclass(frozen=True)
class IfcFile:
    file: str
    schema: str
    #: project length unit -> metres (ifcopenshell.util.unit.calculate_unit_scale)
    unit_scale: float
    #: IfcSite.RefElevation in metres, None when unset
    ref_elevation: float | None
    #: whether an IfcSite carries a FootPrint/Plan curve (site_area needs one)
    site_footprint: bool
    #: world z (m) of ±0.00
    zero_z: float
    buildings: tuple[Building, ...]


# =====================================================================================
# AC20-FZK-Haus.ifc: IFC4, ArchiCAD 20, the KIT "FZK-Haus" test house: 12 x 10 m, two
# storeys, gable roof of 30° (roof slab normal (0, ±0.5, 0.866)).
# Units: IfcSIUnit LENGTHUNIT METRE (#13) -> scale 1.0.
# IfcSite 'Gelaende' (#389): RefElevation 110. (m), representation = Body breps
# (terrain) + Box: no FootPrint curve.
# =====================================================================================
#: Dachgeschoss plate: slab 'Slab-033' 11.8 x 9.8 less its stair opening = 99.83577 m²
_FZK_DG = 11.8 * 9.8 - 15.804225421395126

FZK_HAUS = IfcFile(
    file="AC20-FZK-Haus.ifc",
    schema="IFC4",
    unit_scale=1.0,
    ref_elevation=110.0,  # #389 IfcSite(..., 110., $, $): metres, reported, never subtracted
    site_footprint=False,
    zero_z=0.0,  # building #115/#432 placements at (0,0,0); Erdgeschoss Elevation 0. at z 0.
    buildings=(Building(
        id="FZK-Haus",
        global_id="2hQBAVPOr5VxhS3Jl0O47h",
        name="FZK-Haus",
        storeys=(
            # Elevation 0. (#35064 chain z 0). Holds 'Bodenplatte' #34509 BASESLAB:
            # IfcPolyline (0,0),(0,-10),(12,-10),(12,0) placed at (0,10,0), extruded 0.2 m
            # upwards from z -0.2 -> plan 12 x 10 = 120 m². Kernel: 120.0000.
            # Also aggregates the six ground-floor spaces 1-6 (not used: slabs come first).
            Storey("Erdgeschoss", "2eyxpyOx95m90jmsXLOuR0", 0.0, True, True,
                   12.0 * 10.0, "slabs", ("1pPHnf7cXCpPsNEnQf8_6B",)),
            # Elevation 2.7 (placement #35063 z 2.7). Floor slab 'Slab-033' #59290 FLOOR:
            # rectangle 11.8 x 9.8 at (0.1, 0.1), minus its stair opening #59365
            # (7.34001030259,0.2),(11.6,0.2),(11.6,3.91),(7.34017298593,3.90998376597),
            # shoelace 15.804225421395126 m², cut through the whole 0.2 m depth:
            # 115.64 - 15.8042 = 99.8358 m². Kernel: 99.8358.
            # The storey also holds the ROOF slabs 'Dach-1', 'Dach-2' (excluded) and the
            # space '7' Galerie (107.16 m²; not used, slabs come first).
            Storey("Dachgeschoss", "273g3wqLzDtfYIl7qqkgcO", 2.7, True, True, _FZK_DG, "slabs",
                   ("2RGlQk4xH47RHK93zcTzUL",)),
        ),
        floors_above=2,
        floors_below=0,
        footprint_area=120.0,  # the Erdgeschoss plate (roof overhang to -0.5/12.5 is not counted)
        gfa=120.0 + _FZK_DG,  # 219.8358
        # Ridge of the roof slabs 'Dach-1'/'Dach-2': storey z 2.7 + slab placement z 0.5
        # + profile half-depth 5.7735026919 x sin 30° (profile axis (0, 0.866, -0.5))
        # + vertical extrusion 0.230940107676 (= 0.2 / cos 30°, direction (0,-0.5,0.866)
        # in the tilted position = world (0,0,1)) = 6.31769 m. Kernel: 6.31769 (Dach-1/-2);
        # next highest are the rafters 'Sparren-*' at 6.2715.
        height=2.7 + 0.5 + 0.5 * 5.7735026919 + 0.230940107676,
        top_element="07Enbsqm9C7AQC9iyBwfSD",
    ),),
)

# =====================================================================================
# duplex.ifc: IFC2X3, Revit (Duplex_A), two dwelling units side by side.
# Units: IfcSIUnit LENGTHUNIT METRE (#15) -> scale 1.0.
# IfcSite 'Default': RefElevation -0. (set, value 0), no representation at all.
# IfcBuilding Name $ -> id = GlobalId.
# =====================================================================================
#: Level 1 plate: the two structural slabs on grade (each 7.966 x 9.308 less a notch)
#: + the two exterior slabs on grade (5.8 x 4.382734 each) = 180.5260704 m²
_DUPLEX_L1 = 7.966 * 9.308 - 4.258 * 2.2 + 7.966 * 9.308 - 4.2005 * 2.2 + 2 * 5.8 * 4.382734
#: Level 2 plate: the two joist floors (3.708 x 16.966 less a stair well each) + two
#: finish-floor strips past the stair-well edges = 118.7365152 m²
_DUPLEX_L2 = (3.708 * 16.966 - 1.0544 * 3.491) + (3.708 * 16.966 - 1.0244 * 3.491) + 0.139 + 0.03475
#: Roof plate: the space R301, a 7.966 x 16.966 rectangle = 135.151156 m²
_DUPLEX_ROOF = 7.966 * 16.966

DUPLEX = IfcFile(
    file="duplex.ifc",
    schema="IFC2X3",
    unit_scale=1.0,
    ref_elevation=0.0,  # written "-0." in the file: set, so reported as 0.0 (not null)
    site_footprint=False,
    zero_z=0.0,  # all placements up to the storeys are at (0,0,0); storey z = Elevation
    buildings=(Building(
        id="1xS3BCk291UvhgP2a6eflK",
        global_id="1xS3BCk291UvhgP2a6eflK",
        name=None,
        storeys=(
            # Elevation -1.25. Holds 7 IfcFooting STRIP_FOOTING + 7 foundation walls: no
            # slab, no space -> not a floor (a footing level), below ground.
            Storey("T/FDN", "1xS3BCk291UvhgP2dvNsgp", -1.25, False, False, None),
            # Elevation 0. Ten FLOOR slabs. Structural: '127mm Slab on Grade' 141232 at
            # (0.417,-9.725): 7.966 x 9.308 less a 4.258 x 2.2 notch = 64.779928, and
            # 143106 at (0.417,-17.383): 7.966 x 9.308 less 4.2005 x 2.2 = 64.906428; they
            # neither overlap nor touch (a zig-zag party-wall strip between them).
            # '150mm Exterior Slab on Grade' 216507 / 216552: IfcRectangleProfileDef
            # 5.8 x 4.382734 = 25.4198572 each, outside the walls (porches at y 0..4.38
            # and -22.18..-17.8), typed FLOOR, Pset_SlabCommon.IsExternal = False: they
            # count (§5 gives no way to drop them). The six finish floors lie inside the
            # structural slabs (0 m² outside). 129.686356 + 2 x 25.4198572 = 180.5260704.
            # Kernel: 180.5261 (4 polygons).
            Storey("Level 1", "1xS3BCk291UvhgP2dvNMKI", 0.0, True, True, _DUPLEX_L1, "slabs",
                   ("2O2Fr$t4X7Zf8NOew3FK4F", "2O2Fr$t4X7Zf8NOew3FKcz", "1CZILmCaHETO8tf3SgGEWh",
                    "1CZILmCaHETO8tf3SgGEXu", "2OBrcmyk58NupXoVOHUtxr", "2OBrcmyk58NupXoVOHUtoa",
                    "2OBrcmyk58NupXoVOHUtjR", "2OBrcmyk58NupXoVOHUtju", "2OBrcmyk58NupXoVOHUtgP",
                    "2OBrcmyk58NupXoVOHUten")),
            # Elevation 3.100000000000378. Ten FLOOR slabs. 'Wood Joist' 144800:
            # 3.708 x 16.966 less the stair well 1.0544 x 3.491 = 59.2290176; 144872:
            # 3.708 x 16.966 less its stair well 1.0244 x 3.491 = 59.3337476; a 0.55 m
            # party-wall gap between them.
            # Two finish floors reach 0.04 x 3.475 = 0.139 and 0.01 x 3.475 = 0.03475 past
            # the joists' stair-well edges. Sum 118.7365152. Kernel: 118.7365 (2 polygons).
            Storey("Level 2", "1xS3BCk291UvhgP2dvNMQJ", 3.1, True, True, _DUPLEX_L2, "slabs",
                   ("1hOSvn6df7F8_7GcBWlRqU", "1hOSvn6df7F8_7GcBWlRrM", "2OBrcmyk58NupXoVOHUtC0",
                    "2OBrcmyk58NupXoVOHUtDX", "2OBrcmyk58NupXoVOHUtBP", "2OBrcmyk58NupXoVOHUt8F",
                    "2OBrcmyk58NupXoVOHUt8s", "2OBrcmyk58NupXoVOHUt5W", "2OBrcmyk58NupXoVOHUt2f",
                    "2OBrcmyk58NupXoVOHUt0F")),
            # Elevation 6.00000000000039. Holds the ROOF slab 'Live Roof over Wood Joist
            # Flat Roof' (via IfcRoof, excluded), parapet walls, 2 skylights AND the space
            # R301 'Roof' (aggregated, INTERNAL, a Revit room 3 m high over the roof). By §5
            # a storey holding a space is a floor, and with no floor slab its plate is its
            # spaces': R301 = rectangle 7.966 x 16.966 = 135.151156 m². Kernel: 135.1512.
            # SURPRISE: a reviewer might call this a roof level; §5 as written makes it
            # the third above-ground floor.
            Storey("Roof", "1xS3BCk291UvhgP2dvNtSE", 6.0, True, True, _DUPLEX_ROOF, "spaces",
                   ("0pNy6pOyf7JPmXRLgxs3sW",)),
        ),
        floors_above=3,
        floors_below=0,  # T/FDN is below ground but not a floor
        footprint_area=_DUPLEX_L1,
        gfa=_DUPLEX_L1 + _DUPLEX_L2 + _DUPLEX_ROOF,  # 434.4138
        # Top: the two skylights 'M_Skylight:1180 x 1170mm' (IfcWindow, OverallHeight
        # 0.6348) on the Roof storey: storey z 6.0 + window placement z -3.6576 + the
        # mapped brep's highest point z 4.2924 = 6.6348. They stand 25.8 mm above the
        # parapets (walls, 6.609) and above the roof slab (6.457). Excluded higher things:
        # space R301 9.000, skylight openings 7.981. Kernel: 6.6348.
        height=6.0 - 3.6576 + 4.2924,
        top_element="1Eo2$BaHX42AEkDvQQDoy2",
    ),),
)

# =====================================================================================
# IfcOpenHouse_IFC4.ifc: IFC4, written by IfcOpenShell's IfcOpenHouse example, mm.
# Units: IfcSIUnit LENGTHUNIT MILLI METRE (#13) -> scale 0.001.
# IfcSite: Name $, RefElevation $ -> null; representation = a 'Plan'/'SurfaceModel'
# (IfcFaceBasedSurfaceModel terrain), not a footprint curve.
# IfcBuilding Name $ -> id = GlobalId. One IfcBuildingStorey with Name $ and Elevation $.
# Its elements: 4 walls, door, 5 windows, 20 members, 5 plates, a stair flight, an
# IfcFooting (10.1 x 5.46 m block, z -2..0) and an IfcRoof of two ROOF slabs. No floor
# slab, no space (the IfcFooting is not an IfcSlab) -> the wall-section rule: the four
# walls rise from z 0 to 5.5 m (gables), so the storey is a floor whose plate is the
# outline of their section at +1.2 m, openings ignored: the outer wall faces
# x -5.0..5.0, y -0.18..5.18 = 10.0 x 5.36 = 53.60 m².
# =====================================================================================
OPENHOUSE = IfcFile(
    file="IfcOpenHouse_IFC4.ifc",
    schema="IFC4",
    unit_scale=0.001,
    ref_elevation=None,
    site_footprint=False,
    zero_z=0.0,
    buildings=(Building(
        id="3FweM$L1L56fABBUNXlIbJ",
        global_id="3FweM$L1L56fABBUNXlIbJ",
        name=None,
        storeys=(
            # Elevation $ -> the storey placement's z: (0,0,0) relative to the building at
            # (0,0,0) -> 0.0 (reading None as 0.0 gives the same). Name $ -> its GlobalId.
            Storey("38aOKO8_DDkBd1FHm_lVXz", "38aOKO8_DDkBd1FHm_lVXz", 0.0, True, True, 10.0 * 5.36, "walls",
                   ("3g46_woBL6sugXeY5_WP6n", "3xUPAVO39FGgNkCUQqf4JV", "3hw7qrktPAl8j6w3qKhwKm",
                    "1hwEPyGUD1vwPpm508N9dQ")),
        ),
        floors_above=1,
        floors_below=0,
        footprint_area=10.0 * 5.36,
        gfa=10.0 * 5.36,
        # Top: the roof slabs 'North roof'/'South roof' (IfcMappedItem of a 10200 x 360 mm
        # profile in the XZ plane extruded 4101.22 mm along (0,-0.707107,0.707107)):
        # slab placement z 2700 + profile half-depth 180 + 4101.22 x 0.707107 = 5780 mm.
        # Walls reach 5500 (gables). The terrain (IfcSite) is below 0. Kernel: 5.78000.
        height=(2700 + 180 + 4101.22 * 0.707107) * 0.001,
        top_element="3lPsczHcDCwepFiJhZqz9q",
    ),),
)

# =====================================================================================
# example.ifc: IFC2X3, Revit structural sample, mm.
# Units: IfcSIUnit LENGTHUNIT MILLI METRE (#42) -> scale 0.001.
# IfcSite 'Default': RefElevation 0. (set) -> 0.0; no representation.
# IfcBuilding Name '' (empty) -> id = GlobalId.
# =====================================================================================
EXAMPLE = IfcFile(
    file="example.ifc",
    schema="IFC2X3",
    unit_scale=0.001,
    ref_elevation=0.0,
    site_footprint=False,
    zero_z=0.0,
    buildings=(Building(
        id="39ashYNBDEDR$HhF_Vv5pS",
        global_id="39ashYNBDEDR$HhF_Vv5pS",
        name="",
        storeys=(
            # Elevation -9.18929470261413E-11 (mm) = -9.2e-14 m, placed at z 0: reads 0.0
            # (above ground). Holds 9 IfcSlab, ALL typed BASESLAB, of which only two are
            # foundation slabs; the other seven are Revit footings exported as slabs
            # ('Footing-Rectangular...', 'Existing Strip Footing', 'New Footing'). §5 counts
            # BASESLAB, so they are in the plate. 'Foundation Slab:125mm SLAB' is a
            # 6-vertex polygon of 164.94835 m²; the footings add 8.35 m² where they stick
            # out of it (pieces 1.5526, 0.9284, 1.3418, 0.4801, 3.2126, 1.2752, overlapping
            # among themselves by 0.438). Text-profile union: 173.3009607846; kernel:
            # 173.3010 (2 polygons).
            Storey("Level 1", "39ashYNBDEDR$HhFzW6w9a", 0.0, True, True,
                   173.3009607846388, "slabs",
                   ("0sfBnoLAb0R9H9P$iaZWyE", "03RdpMwXDAcxzTBzSbZ5CU", "03RdpMwXDAcxzTBzSbZ5Dz",
                    "03RdpMwXDAcxzTBzSbZ5wE", "03RdpMwXDAcxzTBzSbZ4GC", "35bmWFPfT6AeIbCPAxjhD_",
                    "35bmWFPfT6AeIbCPAxjq1h", "35bmWFPfT6AeIbCPAxjq9h", "2xu1xe$a5F8xz6NHuPCW$0")),
            # Elevation 3139.99999999982 mm -> 3.14 m (placement z 3140). Holds beams,
            # columns, 4 walls, 3 proxies: no slab -> not a floor.
            # It also "contains" (IfcRelContainedInSpatialStructure) one IfcSpace
            # 'NZ-SHS beam:100x6.0SHS:823947': a steel beam exported as a space (2.8 x 0.1 m
            # at z 4.34..4.44), with CompositionType/InteriorOrExteriorSpace missing and the
            # containment violating WR31: not aggregated into the storey, so it does not
            # make Level 2 a floor. (A reader that took it would report a 0.30 m² plate.)
            Storey("Level 2", "39ashYNBDEDR$HhFzW6zmQ", 3.14, True, False, None),
        ),
        floors_above=1,
        floors_below=0,
        footprint_area=173.3009607846388,
        gfa=173.3009607846388,
        # Top: walls 'Basic Wall:150 Concrete' 681286 / 681128 on Level 2: storey z 3140
        # + wall placement z 360 + extrusion 1858.2 = 5358.2 mm. Beams reach 4798 mm.
        # Kernel: 5.35820.
        height=(3140 + 360 + 1858.2) * 0.001,
        top_element="03RdpMwXDAcxzTBzSbZ55z",
    ),),
)

FILES: tuple[IfcFile, ...] = (FZK_HAUS, DUPLEX, OPENHOUSE, EXAMPLE)
BY_NAME: dict[str, IfcFile] = {f.file: f for f in FILES}
