"""The project manifest drawcheck.toml: convention section 6."""

import os
import textwrap
from pathlib import Path

import pytest

from drawcheck.readers.layers import DEFAULT_LAYERS, LayerRoles
from drawcheck.manifest import (
    CONDITION_KEYS,
    LAYER_ROLES,
    Claim,
    InputSpec,
    Limits,
    Manifest,
    ManifestError,
    load_manifest,
    single_drawing_manifest,
)

# The example of convention section 6, verbatim.
EXAMPLE = """\
[project]
name = "某某地块住宅项目"
inputs = ["site.dxf",                         # paths inside this folder
          {path = "b1.ifc", insert = [120.0, 40.0], rotation = 0.0}]
packs = ["gb50016-2014", "shanghai-planning"]  # rule packs (file stems)

[site]
latitude = 31.2333               # default: Shanghai reference 31°14'N
longitude = 121.4667             #          121°28'E
north_angle = 0.0                # degrees from the drawing's +Y axis to
                                 # true north, counter-clockwise positive

[conditions]                     # 规划设计条件 of this plot
land_use = "residential"         # residential | commercial | office | public | industrial | mixed
far_max = 2.5                    # 容积率上限            (planning)
coverage_max = 0.30              # 建筑密度上限          (planning)
height_max = 80.0                # 建筑限高, m           (planning)
setback_min = 5.0                # 退用地红线, m         (planning)
road_setback_min = 10.0          # 退道路红线, m         (planning)
green_ratio_min = 0.35           # 绿地率下限            (greening)
parking_min = 120                # 机动车位下限          (traffic)
basement_in_far = false
shanghai_zone = "outer"          # "inner": inside 浦西内环线
climate_zone = "III"             # GB 50180 sunlight table
city_size = "large"              # large: >= 0.5 M people

[layers]                         # optional, section 2
building = ["A-BLDG-OTLN", "*-建筑轮廓"]

[[claims]]                       # reductions a standard allows, per pair
rule = "gb50016-2014:5.2.2"
between = ["1#", "2#"]
note = 2                         # the table note relied on
reason = "2# 东侧山墙为防火墙"

[overrides."shanghai-planning"]  # change a pack parameter, not the pack
gable_min = 13.0

[limits]                         # defaults protect a permit system
max_bytes = 200_000_000
max_entities = 2_000_000
"""

MINIMAL = '[project]\ninputs = ["site.dxf"]\n'


@pytest.fixture
def folder(tmp_path):
    sub = tmp_path / "plot"
    sub.mkdir()
    (sub / "site.dxf").write_text("0\nEOF\n")
    (sub / "b1.ifc").write_text("ISO-10303-21;\n")
    return sub


def write(folder: Path, text: str) -> Path:
    path = folder / "drawcheck.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_example(folder):
    m = load_manifest(write(folder, EXAMPLE))
    assert m.root == folder.absolute()
    assert m.source == folder / "drawcheck.toml"
    assert m.name == "某某地块住宅项目"
    assert m.inputs == (
        InputSpec("site.dxf"),
        InputSpec("b1.ifc", insert=(120.0, 40.0), rotation=0.0),
    )
    assert m.packs == ("gb50016-2014", "shanghai-planning")
    assert (m.latitude, m.longitude, m.north_angle) == (31.2333, 121.4667, 0.0)
    assert dict(m.conditions) == {
        "land_use": "residential", "far_max": 2.5, "coverage_max": 0.30,
        "height_max": 80.0, "setback_min": 5.0, "road_setback_min": 10.0,
        "green_ratio_min": 0.35, "parking_min": 120, "basement_in_far": False,
        "shanghai_zone": "outer", "climate_zone": "III", "city_size": "large",
    }
    assert type(m.conditions["parking_min"]) is int
    assert dict(m.layers) == {"building": ("A-BLDG-OTLN", "*-建筑轮廓")}
    assert m.layers_replace is False
    assert m.claims == (Claim("gb50016-2014:5.2.2", ("1#", "2#"), 2, "2# 东侧山墙为防火墙"),)
    assert {k: dict(v) for k, v in m.overrides.items()} == {"shanghai-planning": {"gable_min": 13.0}}
    assert m.limits == Limits(200_000_000, 2_000_000, 20_000_000)


def test_folder_path_finds_the_manifest(folder):
    write(folder, EXAMPLE)
    assert load_manifest(folder).name == "某某地块住宅项目"


def test_minimal_manifest_defaults(folder):
    m = load_manifest(write(folder, MINIMAL))
    assert m == Manifest(
        root=folder.absolute(), name="plot", inputs=(InputSpec("site.dxf"),), packs=None,
        source=folder / "drawcheck.toml",
    )
    assert (m.latitude, m.longitude, m.north_angle) == (31.2333, 121.4667, 0.0)
    assert dict(m.conditions) == {} and dict(m.layers) == {} and m.claims == ()
    assert m.limits == Limits()


def test_single_drawing(folder):
    m = single_drawing_manifest(folder / "site.dxf")
    assert m.root == folder.absolute()
    assert m.inputs == (InputSpec("site.dxf"),)
    assert m.packs is None and m.source is None and m.name == "site"


def test_single_drawing_missing(folder):
    with pytest.raises(ManifestError, match="nope.dxf"):
        single_drawing_manifest(folder / "nope.dxf")


def test_new_condition_keys_and_ranges(folder):
    m = load_manifest(write(folder, MINIMAL + textwrap.dedent("""
        [conditions]
        far_max = 3                     # an int where a float is expected
        parking_per_household = 1.0
        parking_per_100m2 = 0.6
        civil_defense_ratio = 0.05
        green_central_min = 0.10
        coverage_max = 1
        green_ratio_min = 0
        """)))
    assert dict(m.conditions) == {
        "far_max": 3.0, "parking_per_household": 1.0, "parking_per_100m2": 0.6,
        "civil_defense_ratio": 0.05, "green_central_min": 0.10,
        "coverage_max": 1.0, "green_ratio_min": 0.0,
    }
    assert type(m.conditions["far_max"]) is float


def test_condition_schema():
    assert set(CONDITION_KEYS) == {
        "land_use", "far_max", "coverage_max", "height_max", "setback_min",
        "road_setback_min", "green_ratio_min", "parking_min", "basement_in_far",
        "shanghai_zone", "climate_zone", "city_size", "parking_per_household",
        "parking_per_100m2", "civil_defense_ratio", "green_central_min", "road_width",
        "piecemeal_redevelopment",
    }
    assert CONDITION_KEYS["road_width"] == (float, "planning")
    assert CONDITION_KEYS["piecemeal_redevelopment"] == (bool, "greening")
    assert CONDITION_KEYS["far_max"] == (float, "planning")
    assert CONDITION_KEYS["green_ratio_min"] == (float, "greening")
    assert CONDITION_KEYS["parking_min"] == (int, "traffic")
    assert CONDITION_KEYS["civil_defense_ratio"] == (float, "civil_defense")


def test_input_table_defaults_and_normalised_paths(folder):
    (folder / "dwg").mkdir()
    (folder / "dwg" / "a.dxf").write_text("")
    m = load_manifest(write(folder, textwrap.dedent("""
        [project]
        inputs = [{path = "./dwg/../dwg/a.dxf"}, "dwg\\\\..\\\\site.dxf", {path = "b1.ifc", rotation = -90}]
        packs = []
        """)))
    assert m.inputs == (
        InputSpec("dwg/a.dxf"),
        InputSpec("site.dxf"),
        InputSpec("b1.ifc", (0.0, 0.0), -90.0),
    )
    assert m.packs == ()


def test_pack_path_inside_the_folder(folder):
    (folder / "packs").mkdir()
    (folder / "packs" / "local.toml").write_text("")
    m = load_manifest(write(folder, '[project]\ninputs = ["site.dxf"]\npacks = ["gb50016-2014", "packs/local.toml"]\n'))
    assert m.packs == ("gb50016-2014", "packs/local.toml")


def test_layers_replace_and_table(folder):
    m = load_manifest(write(folder, MINIMAL + '[layers]\nreplace = true\nsite = ["RED*"]\n'))
    assert m.layers_replace is True
    roles = LayerRoles(m.layers, m.layers_replace)
    assert roles.role_of(" redline-01 ") == "site"
    assert roles.role_of("用地红线") is None
    assert roles.role_of("建筑轮廓") is None


def test_default_layer_table(folder):
    m = load_manifest(write(folder, MINIMAL + '[layers]\nbuilding = ["*-建筑轮廓"]\n'))
    assert set(LAYER_ROLES) == set(DEFAULT_LAYERS)
    roles = LayerRoles(m.layers, m.layers_replace)
    assert roles.role_of("bldg") == "building"
    assert roles.role_of("  Site-Boundary ") == "site"
    assert roles.role_of("1#-建筑轮廓") == "building"
    assert roles.role_of("集中绿地") == "green_central"
    assert roles.role_of("0") is None


# --- errors -------------------------------------------------------------------

# (manifest text, the key the message must name, a fragment of the message)
ERRORS = [
    # unknown keys, anywhere
    (MINIMAL + "[conditions]\nfar_maxx = 2.5\n", "conditions.far_maxx", "unknown key 'conditions.far_maxx'"),
    (MINIMAL + "[conditions]\nfar_maxx = 2.5\n", "conditions.far_maxx", "did you mean 'conditions.far_max'"),
    (MINIMAL + "[extras]\na = 1\n", "extras", "unknown key 'extras'"),
    ('[project]\ninputs = ["site.dxf"]\nauthor = "x"\n', "project.author", "unknown key"),
    ('[project]\ninputs = [{path = "site.dxf", scale = 2}]\n', "project.inputs[0].scale", "unknown key"),
    (MINIMAL + "[site]\nelevation = 4.0\n", "site.elevation", "unknown key"),
    (MINIMAL + '[layers]\nbuildings = ["X"]\n', "layers.buildings", "unknown key"),
    (MINIMAL + "[limits]\nmax_pages = 3\n", "limits.max_pages", "unknown key"),
    (MINIMAL + '[[claims]]\nrule = "a:1"\nbetween = ["1#", "2#"]\nnote = 1\nreason = "r"\nby = "me"\n',
     "claims[0].by", "unknown key"),
    # missing required
    ("[site]\nlatitude = 31.0\n", "project.inputs", "missing required key"),
    ("[project]\nname = \"x\"\n", "project.inputs", "missing required key"),
    ('[project]\ninputs = []\n', "project.inputs", "at least one"),
    ('[project]\ninputs = [{insert = [0, 0]}]\n', "project.inputs[0].path", "missing required key"),
    # wrong types
    ('[project]\ninputs = "site.dxf"\n', "project.inputs", "must be an array"),
    ('[project]\ninputs = [3]\n', "project.inputs[0]", "got integer"),
    ('[project]\nname = 5\ninputs = ["site.dxf"]\n', "project.name", "must be a string"),
    ('[project]\nname = " "\ninputs = ["site.dxf"]\n', "project.name", "must not be empty"),
    ('[project]\ninputs = ["site.dxf"]\npacks = "gb50016-2014"\n', "project.packs", "must be an array"),
    ('[project]\ninputs = ["site.dxf"]\npacks = ["gb 50016"]\n', "project.packs[0]", "neither a pack id"),
    ('[project]\ninputs = ["site.dxf"]\npacks = ["a", "a"]\n', "project.packs[1]", "second time"),
    ('[project]\ninputs = ["site.dxf", "./site.dxf"]\n', "project.inputs[1]", "second time"),
    ('[project]\ninputs = [{path = "site.dxf", insert = [1.0]}]\n', "project.inputs[0].insert", "[x, y]"),
    ('[project]\ninputs = [{path = "site.dxf", insert = [1.0, "a"]}]\n', "project.inputs[0].insert[1]", "must be a number"),
    ('[project]\ninputs = [{path = "site.dxf", rotation = nan}]\n', "project.inputs[0].rotation", "finite"),
    ('site = "x"\n' + MINIMAL, "site", "must be a table"),
    (MINIMAL + "[conditions]\nfar_max = \"2.5\"\n", "conditions.far_max", "must be a number, got string '2.5'"),
    (MINIMAL + "[conditions]\nfar_max = true\n", "conditions.far_max", "must be a number, got boolean"),
    (MINIMAL + "[conditions]\nfar_max = inf\n", "conditions.far_max", "finite"),
    (MINIMAL + "[conditions]\nparking_min = 120.0\n", "conditions.parking_min", "must be an integer"),
    (MINIMAL + "[conditions]\nbasement_in_far = \"no\"\n", "conditions.basement_in_far", "true or false"),
    (MINIMAL + "[conditions]\nbasement_in_far = 0\n", "conditions.basement_in_far", "true or false"),
    (MINIMAL + "[conditions]\nland_use = \"hotel\"\n", "conditions.land_use", "must be one of"),
    (MINIMAL + "[conditions]\nshanghai_zone = \"central\"\n", "conditions.shanghai_zone", "inner, outer"),
    (MINIMAL + "[conditions]\nclimate_zone = \"3\"\n", "conditions.climate_zone", "must be one of"),
    (MINIMAL + "[conditions]\nclimate_zone = \"VIII\"\n", "conditions.climate_zone", "must be one of"),
    (MINIMAL + "[conditions]\ncity_size = \"medium\"\n", "conditions.city_size", "must be one of"),
    (MINIMAL + "[conditions]\nfar_max = 2025-01-01\n", "conditions.far_max", "got date-time"),
    (MINIMAL + '[layers]\nbuilding = "BLDG"\n', "layers.building", "must be an array"),
    (MINIMAL + '[layers]\nbuilding = ["BLDG", 3]\n', "layers.building[1]", "must be a string"),
    (MINIMAL + '[layers]\nreplace = "yes"\n', "layers.replace", "true or false"),
    (MINIMAL + '[overrides]\ngable_min = 13.0\n', "overrides.gable_min", "must be a table"),
    (MINIMAL + '[overrides."shanghai-planning"]\ngable_min = [{a = 1}]\n',
     "overrides.shanghai-planning.gable_min", "array of them"),
    (MINIMAL + '[overrides."shanghai-planning"]\ngable_min = []\n',
     "overrides.shanghai-planning.gable_min", "array of them"),
    (MINIMAL + '[overrides."shanghai-planning"]\ngable_min = [[[[[[[[[1]]]]]]]]]\n',
     "overrides.shanghai-planning.gable_min", "array of them"),  # 9 deep: beyond MAX_ARRAY_DEPTH
    (MINIMAL + '[overrides."a b"]\nx = {y = 1}\n', 'overrides."a b".x', "number, string, boolean"),
    (MINIMAL + "[limits]\nmax_bytes = 0\n", "limits.max_bytes", ">= 1"),
    (MINIMAL + "[limits]\nmax_entities = 1.5e6\n", "limits.max_entities", "must be an integer"),
    # out of range
    (MINIMAL + "[conditions]\ncoverage_max = 1.5\n", "conditions.coverage_max", "between 0 and 1, got 1.5"),
    (MINIMAL + "[conditions]\ngreen_ratio_min = 35\n", "conditions.green_ratio_min", "between 0 and 1"),
    (MINIMAL + "[conditions]\ncivil_defense_ratio = -0.1\n", "conditions.civil_defense_ratio", "between 0 and 1"),
    (MINIMAL + "[conditions]\ngreen_central_min = 1.01\n", "conditions.green_central_min", "between 0 and 1"),
    (MINIMAL + "[conditions]\nfar_max = -1\n", "conditions.far_max", ">= 0"),
    (MINIMAL + "[conditions]\nparking_min = -1\n", "conditions.parking_min", ">= 0"),
    (MINIMAL + "[conditions]\nparking_per_household = -0.5\n", "conditions.parking_per_household", ">= 0"),
    (MINIMAL + "[site]\nlatitude = 91\n", "site.latitude", "between -90 and 90"),
    (MINIMAL + "[site]\nlongitude = -180.5\n", "site.longitude", "between -180 and 180"),
    (MINIMAL + "[site]\nnorth_angle = 400\n", "site.north_angle", "between -360 and 360"),
    # claims
    (MINIMAL + "[claims]\nrule = \"a:1\"\n", "claims", "array of tables"),
    (MINIMAL + '[[claims]]\nrule = "gb50016-2014"\nbetween = ["1#", "2#"]\nnote = 2\nreason = "r"\n',
     "claims[0].rule", "PACK:CLAUSE"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#"]\nnote = 2\nreason = "r"\n',
     "claims[0].between", "exactly 2"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "2#", "3#"]\nnote = 2\nreason = "r"\n',
     "claims[0].between", "exactly 2"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "1#"]\nnote = 2\nreason = "r"\n',
     "claims[0].between", "2 different"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", 2]\nnote = 2\nreason = "r"\n',
     "claims[0].between[1]", "must be a string"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "2#"]\nnote = 8\nreason = "r"\n',
     "claims[0].note", "between 1 and 7"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "2#"]\nnote = 0\nreason = "r"\n',
     "claims[0].note", "between 1 and 7"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "2#"]\nnote = 2.0\nreason = "r"\n',
     "claims[0].note", "must be an integer"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "2#"]\nnote = 2\nreason = ""\n',
     "claims[0].reason", "must not be empty"),
    (MINIMAL + '[[claims]]\nrule = "p:5.2.2"\nbetween = ["1#", "2#"]\nnote = 2\n',
     "claims[0].reason", "missing required key"),
    (MINIMAL + '[[claims]]\nrule = "p:1"\nbetween = ["1#", "2#"]\nnote = 1\nreason = "r"\n'
     '[[claims]]\nrule = "p:1"\nbetween = ["1#", "2#"]\nnote = true\nreason = "r"\n',
     "claims[1].note", "must be an integer"),
    # paths
    ('[project]\ninputs = ["../outside.dxf"]\n', "project.inputs[0]", "leaves the submission folder"),
    ('[project]\ninputs = ["sub/../../plot/site.dxf"]\n', "project.inputs[0]", "leaves the submission folder"),
    ('[project]\ninputs = ["..\\\\outside.dxf"]\n', "project.inputs[0]", "leaves the submission folder"),
    ('[project]\ninputs = ["/etc/passwd"]\n', "project.inputs[0]", "absolute path"),
    ('[project]\ninputs = ["C:\\\\dwg\\\\site.dxf"]\n', "project.inputs[0]", "absolute path"),
    ('[project]\ninputs = [{path = "/tmp/site.dxf"}]\n', "project.inputs[0].path", "absolute path"),
    ('[project]\ninputs = ["missing.dxf"]\n', "project.inputs[0]", "file not found: 'missing.dxf'"),
    ('[project]\ninputs = ["."]\n', "project.inputs[0]", "not a file"),
    ('[project]\ninputs = ["site.dxf"]\npacks = ["../packs/x.toml"]\n', "project.packs[0]", "leaves the submission folder"),
    ('[project]\ninputs = ["site.dxf"]\npacks = ["mine.toml"]\n', "project.packs[0]", "file not found"),
]


@pytest.mark.parametrize("text,key,fragment", ERRORS)
def test_errors_name_the_key(folder, text, key, fragment):
    with pytest.raises(ManifestError) as info:
        load_manifest(write(folder, text))
    err = info.value
    message = str(err)
    assert "\n" not in message
    assert message.startswith(str(folder / "drawcheck.toml") + ": ")
    assert err.key == key
    assert f"'{key}'" in message
    assert fragment in message


def test_manifest_error_is_a_value_error():
    assert issubclass(ManifestError, ValueError)
    assert str(ManifestError("drawcheck.toml", "conditions.far_maxx", "unknown key 'conditions.far_maxx'")) == (
        "drawcheck.toml: unknown key 'conditions.far_maxx'"
    )


def test_subfolder_is_a_directory_not_a_file(folder):
    (folder / "dwg").mkdir()
    with pytest.raises(ManifestError, match="not a file"):
        load_manifest(write(folder, '[project]\ninputs = ["dwg"]\n'))


def test_symlink_out_is_refused(folder, tmp_path):
    outside = tmp_path / "secret.dxf"
    outside.write_text("")
    os.symlink(outside, folder / "link.dxf")
    with pytest.raises(ManifestError) as info:
        load_manifest(write(folder, '[project]\ninputs = ["link.dxf"]\n'))
    assert info.value.key == "project.inputs[0]"
    assert "outside the submission folder" in str(info.value)


def test_symlinked_folder_out_is_refused(folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.dxf").write_text("")
    os.symlink(elsewhere, folder / "dwg")
    with pytest.raises(ManifestError, match="outside the submission folder"):
        load_manifest(write(folder, '[project]\ninputs = ["dwg/a.dxf"]\n'))


def test_symlink_inside_is_accepted(folder):
    os.symlink(folder / "site.dxf", folder / "alias.dxf")
    m = load_manifest(write(folder, '[project]\ninputs = ["alias.dxf"]\n'))
    assert m.inputs == (InputSpec("alias.dxf"),)


def test_symlink_loop_is_an_error(folder):
    os.symlink(folder / "loop.dxf", folder / "loop.dxf")
    with pytest.raises(ManifestError) as info:
        load_manifest(write(folder, '[project]\ninputs = ["loop.dxf"]\n'))
    assert info.value.key == "project.inputs[0]"


@pytest.mark.parametrize(
    "text,where",
    [
        ('[project]\ninputs = ["site.dxf"\n', "end of document"),
        ('[project]\ninputs = ["site.dxf"]\nname = "a"\nname = "b"\n', "line 4"),
        ("[project\n", "line 1"),
        ('[project]\ninputs = ["site.dxf"]\nfar_max == 2\n', "line 3"),
    ],
)
def test_toml_syntax_error_gives_line_and_column(folder, text, where):
    with pytest.raises(ManifestError) as info:
        load_manifest(write(folder, text))
    message = str(info.value)
    assert "TOML syntax error" in message and where in message
    assert "column" in message or "line" not in where
    assert "\n" not in message


def test_not_utf8(folder):
    path = folder / "drawcheck.toml"
    path.write_bytes('[project]\nname = "某"\ninputs = ["site.dxf"]\n'.replace("某", "地块").encode("gbk"))
    with pytest.raises(ManifestError, match="not UTF-8"):
        load_manifest(path)


def test_utf8_bom_is_accepted(folder):
    path = folder / "drawcheck.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_manifest(path).inputs == (InputSpec("site.dxf"),)


def test_folder_without_manifest(folder):
    with pytest.raises(ManifestError, match="manifest not found"):
        load_manifest(folder)


def test_nothing_is_evaluated(folder):
    # A string that looks like code stays a string.
    m = load_manifest(write(folder, MINIMAL + '[overrides.p]\nexpr = "__import__(\'os\').system(\'x\')"\n'))
    assert m.overrides["p"]["expr"] == "__import__('os').system('x')"


def test_manifest_is_read_only(folder):
    m = load_manifest(write(folder, EXAMPLE))
    with pytest.raises(TypeError):
        m.conditions["far_max"] = 9  # type: ignore[index]
    with pytest.raises(AttributeError):
        m.name = "x"  # type: ignore[misc]
