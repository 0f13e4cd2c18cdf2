"""Fuzz inputs for the manifest loader: TOML-ish text, mutations of a valid manifest, random key/value trees.

Like :mod:`gen_dxf`, every generator takes a :class:`random.Random` and
returns bytes. The folder the manifest is loaded from holds ``site.dxf``,
``sub/b.dxf`` and ``local.toml`` (see :func:`prepare_folder`), so valid paths
occur as well as hostile ones.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

VALID = """# a valid manifest
[project]
name = "某地块"
inputs = ["site.dxf", { path = "sub/b.dxf", insert = [10.0, 20.0], rotation = 90 }]
packs = ["gb50016-2014", "local.toml"]

[site]
latitude = 31.2
longitude = 121.5
north_angle = 0.0

[conditions]
far_max = 2.5
coverage_max = 0.3
parking_min = 40
land_use = "residential"
basement_in_far = false

[layers]
building = ["A-建筑轮廓", "*-BLDG"]

[[claims]]
rule = "gb50016-2014:5.2.2"
between = ["1#", "2#"]
note = 2
reason = "防火墙"

[overrides.gb50016-2014]
note1_factor = 0.8
separation_table = [[13.0, 9.0], [9.0, 6.0]]

[limits]
max_bytes = 1000000
max_entities = 5000
max_vertices = 100000
"""

TABLES = ["project", "site", "conditions", "layers", "claims", "overrides", "limits", "overrides.gb50016-2014",
          "overrides.\"a b\"", "project.inputs", "x", "", "site.latitude"]
KEYS = ["name", "inputs", "packs", "latitude", "longitude", "north_angle", "far_max", "coverage_max", "height_max",
        "setback_min", "road_setback_min", "green_ratio_min", "parking_min", "land_use", "basement_in_far",
        "building", "site", "replace", "rule", "between", "note", "reason", "max_bytes", "max_entities",
        "max_vertices", "path", "insert", "rotation", "note1_factor", "separation_table", "shanghai_zone",
        "civil_defense_ratio", "__class__", "\"__import__('os')\"", "a.b.c", "'literal key'", "\"\"", "键"]
#: Hostile or odd path strings: escapes, absolute, links, devices, NUL, Windows forms, very long.
PATHS = ["site.dxf", "sub/b.dxf", "local.toml", "../../etc/passwd", "/etc/passwd", "..", ".", "sub/../site.dxf",
         "sub/../../x.dxf", "link-out.dxf", "loop.dxf", "C:\\\\Windows\\\\win.ini", "\\\\\\\\server\\\\share",
         "sub\\\\b.dxf", "site.dxf\\u0000.png", "/dev/zero", "~/x.dxf", "%2e%2e/x", "a" * 300, "sub", "",
         "sub/", "./site.dxf", "SITE.DXF", "site.dxf ", "missing.dxf", "../site.dxf"]
CODE = ["__import__('os').system('touch /tmp/drawcheck-pwned')", "{__class__}", "${HOME}", "$(id)", "`id`",
        "{{7*7}}", "<script>alert(1)</script>"]


def prepare_folder(folder: Path) -> None:
    """The submission folder manifests are loaded from: two drawings, a local pack, links in and out."""
    import os

    (folder / "sub").mkdir(exist_ok=True)
    for name in ("site.dxf", "sub/b.dxf", "local.toml"):
        (folder / name).write_text("0\nEOF\n" if name.endswith(".dxf") else "[pack]\n", encoding="utf-8")
    outside = folder.parent / f"{folder.name}-outside.dxf"
    outside.write_text("0\nEOF\n", encoding="utf-8")
    for link, target in (("link-out.dxf", outside), ("loop.dxf", folder / "loop.dxf"), ("link-in.dxf", folder / "site.dxf")):
        if not (folder / link).is_symlink():
            try:
                os.symlink(target, folder / link)
            except OSError:
                pass


def _string(rnd: random.Random) -> str:
    text = rnd.choice(PATHS + CODE + KEYS + ["", " ", "x" * 100, "二级", "\\t\\n", "\\u00e9", "\\ud800"])
    return '"' + text.replace('"', '\\"') + '"' if rnd.random() < 0.85 else "'" + text.replace("'", "") + "'"


def _scalar(rnd: random.Random) -> str:
    pick = rnd.randrange(9)
    if pick == 0:
        return _string(rnd)
    if pick == 1:
        return rnd.choice(["true", "false", "True", "yes", "null", "None"])
    if pick == 2:
        return rnd.choice(["nan", "inf", "-inf", "+nan", "1e400", "-1e400", "1e308", "0", "-0", "-1", "1_000",
                           "0x7fffffffffffffff", "99999999999999999999", "0b101", "0o777", "1.", ".5", "01"])
    if pick == 3:
        return rnd.choice(["1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", "2024-13-45"])
    if pick == 4:
        return repr(rnd.uniform(-1e6, 1e6))
    if pick == 5:
        return str(rnd.randint(-10, 10 ** 12))
    if pick == 6:
        return "[" + ", ".join(_scalar(rnd) for _ in range(rnd.randint(0, 4))) + "]"
    if pick == 7:
        return "{ " + ", ".join(f"{rnd.choice(KEYS)} = {_scalar(rnd)}" for _ in range(rnd.randint(0, 3))) + " }"
    depth = rnd.choice([2, 5, 50, 400, 2000])
    return "[" * depth + "1" + "]" * depth


def toml_text(rnd: random.Random) -> bytes:
    """TOML-ish text from scratch: tables, arrays of tables, key = value lines, some of them broken."""
    lines = []
    for _ in range(rnd.randint(0, 25)):
        pick = rnd.random()
        if pick < 0.2:
            lines.append(f"[{rnd.choice(TABLES)}]")
        elif pick < 0.25:
            lines.append(f"[[{rnd.choice(['claims', 'project', 'x'])}]]")
        elif pick < 0.9:
            lines.append(f"{rnd.choice(KEYS)} = {_scalar(rnd)}")
        else:
            lines.append(rnd.choice(["=", "[", "]]", "key =", "# comment", "\"unterminated", "a = 1 = 2",
                                     "inputs = [\"site.dxf\",", "\x00", "\\", "[project]\ninputs = [\"site.dxf\"]"]))
    text = "\n".join(lines)
    if rnd.random() < 0.5:
        text = '[project]\ninputs = ["site.dxf"]\n' + text
    return text.encode("utf-8", errors="surrogatepass")


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """A valid manifest after 1-6 line edits: drop, duplicate, swap, replace a value, flip bytes, truncate."""
    lines = data.split(b"\n")
    for _ in range(rnd.randint(1, 6)):
        if not lines:
            break
        i = rnd.randrange(len(lines))
        op = rnd.randrange(7)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3 and b"=" in lines[i]:
            key = lines[i].split(b"=", 1)[0]
            lines[i] = key + b"= " + _scalar(rnd).encode("utf-8", errors="surrogatepass")
        elif op == 4:
            raw = bytearray(lines[i])
            if raw:
                raw[rnd.randrange(len(raw))] = rnd.randrange(256)
            lines[i] = bytes(raw)
        elif op == 5:
            lines = lines[:i]
        else:
            lines.insert(i, f"{rnd.choice(KEYS)} = {_scalar(rnd)}".encode("utf-8", errors="surrogatepass"))
    out = b"\n".join(lines)
    return (b"\xef\xbb\xbf" + out) if rnd.random() < 0.05 else out


# -- random key/value trees -----------------------------------------------------------------------
def tree_value(rnd: random.Random, depth: int = 0):
    """A random TOML-representable value (the validator's side, not the parser's)."""
    pick = rnd.randrange(9 if depth < 4 else 6)
    if pick == 0:
        return rnd.choice(PATHS + CODE + ["", "  ", "二级", "residential", "inner", "gb50016-2014", "local.toml",
                                          "gb50016-2014:5.2.2", "a:b:c"])
    if pick == 1:
        return rnd.choice([True, False])
    if pick == 2:
        return rnd.choice([0, 1, -1, 2, 7, 8, 10 ** 6, 2 ** 63 - 1, -(2 ** 63)])
    if pick == 3:
        return rnd.choice([0.0, -0.0, 0.5, 1.0, 1.5, 90.0, 91.0, 360.5, 1e308, -1e308, math.inf, -math.inf, math.nan])
    if pick == 4:
        import datetime as dt

        return rnd.choice([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12, 0), dt.time(7, 32)])
    if pick == 5:
        return rnd.uniform(-1000, 1000)
    if pick in (6, 7):
        return [tree_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    return {rnd.choice(KEYS + TABLES).strip('"\''): tree_value(rnd, depth + 1) for _ in range(rnd.randint(0, 5))}


def tree(rnd: random.Random) -> dict:
    """A manifest-shaped random tree: known sections with random contents, sometimes unknown ones."""
    out: dict = {}
    if rnd.random() < 0.9:
        project = {"inputs": rnd.choice([["site.dxf"], [rnd.choice(PATHS)], tree_value(rnd, 2),
                                         [{"path": rnd.choice(PATHS), "insert": tree_value(rnd, 3),
                                           "rotation": tree_value(rnd, 3)}]])}
        if rnd.random() < 0.5:
            project["packs"] = rnd.choice([["gb50016-2014"], ["local.toml"], [rnd.choice(PATHS)], tree_value(rnd, 2)])
        if rnd.random() < 0.3:
            project["name"] = tree_value(rnd, 3)
        out["project"] = project
    for section in ("site", "conditions", "layers", "overrides", "limits", "claims", "extra"):
        if rnd.random() < 0.35:
            value = tree_value(rnd, 1)
            if section == "claims" and rnd.random() < 0.7:
                value = [{"rule": tree_value(rnd, 3), "between": tree_value(rnd, 3), "note": tree_value(rnd, 3),
                          "reason": tree_value(rnd, 3)}]
            out[section] = value
    return out


def _key(k: str) -> str:
    return k if k and all(c.isalnum() or c in "-_" for c in k) and k.isascii() else _quote(k)


def _quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    return "".join(out) + '"'


def _inline(value) -> str:
    import datetime as dt

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"


def dump(tree_: dict) -> bytes:
    """A minimal TOML writer: top-level scalars first, then one ``[table]`` per dict, inline below that."""
    head, tables = [], []
    for key, value in tree_.items():
        if isinstance(value, dict):
            tables.append(f"[{_key(key)}]")
            tables += [f"{_key(k)} = {_inline(v)}" for k, v in value.items()]
        else:
            head.append(f"{_key(key)} = {_inline(value)}")
    return "\n".join(head + tables).encode("utf-8") + b"\n"


def manifest_input(rnd: random.Random) -> bytes:
    pick = rnd.random()
    if pick < 0.35:
        return mutate(VALID.encode("utf-8"), rnd)
    if pick < 0.7:
        return dump(tree(rnd))
    return toml_text(rnd)
