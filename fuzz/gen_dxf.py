"""Fuzz inputs for the DXF reader: plausible DXF tag streams and mutations of small valid drawings.

Every generator takes a :class:`random.Random` and returns bytes, so the
same code serves the regular suite (``tests/test_fuzz.py`` hands it
hypothesis' shrinkable ``st.randoms()``) and the long harness
(``fuzz/fuzz_dxf.py``, a seeded ``random.Random``).

The promise under test (README "Bad and hostile input"): whatever the bytes,
:func:`drawcheck.pipeline.check` returns a report or raises one of
:data:`drawcheck.pipeline.InputError` with a one-line message.
"""

from __future__ import annotations

import functools
import io
import random

#: Layers the reader gives a role (site, building, green, parking, indicators, road, window) and some it ignores.
LAYERS = ["用地红线", "建筑轮廓", "绿地", "集中绿地", "停车位", "经济技术指标", "道路红线", "地下室", "周边建筑",
          "0", "DEFPOINTS", "A-WALL", "SITE", "BLDG", "GREEN", "PARKING", "window"]
ENTITY_TYPES = ["LWPOLYLINE", "POLYLINE", "VERTEX", "SEQEND", "LINE", "ARC", "CIRCLE", "ELLIPSE", "SPLINE",
                "HATCH", "TEXT", "MTEXT", "INSERT", "ATTRIB", "ATTDEF", "POINT", "SOLID", "3DFACE", "DIMENSION",
                "LEADER", "IMAGE", "XLINE", "RAY", "REGION", "WIPEOUT", "MLINE", "UNKNOWN_ENTITY"]
STRUCTURE = ["SECTION", "ENDSEC", "EOF", "HEADER", "TABLES", "BLOCKS", "ENTITIES", "OBJECTS", "CLASSES", "TABLE",
             "ENDTAB", "BLOCK", "ENDBLK", "LAYER", "SEQEND", "DICTIONARY"]
#: Values that break number parsing, overflow, or sit on the limits.
NASTY_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e300", "-1e300", "1e400", "1e-320", "1e12", "-0", "0", "",
                 " ", "abc", "1,5", "1.2.3", "0x10", "１２", "99999999999999999999999", "-1", "2147483648",
                 "9223372036854775808", "1e", "+", "."]
NASTY_TEXT = ["<script>alert(1)</script>&\"'", "1# 18F", "2# 5F 住宅 二级", "H=1e300m", "容积率：2.50",
              "建筑面积：1e400", "\\U+7eff\\U+5730", "\\M+1B0C4", "%%c%%d%%p", "{\\fSimSun;1#}", "\\P\\P\\P",
              "-2F", "B2", "x" * 300, "1#" * 50, "\u202e反转", "0F", "999999F", "-5F"]
#: Group codes the reader looks at, plus some it should survive.
CODES = [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 20, 21, 22, 23, 30, 38, 39, 40, 41, 42, 43, 44, 45, 50, 51, 62,
         66, 70, 71, 72, 73, 74, 75, 76, 90, 91, 92, 93, 94, 95, 96, 97, 98, 100, 102, 210, 220, 230, 330, 360,
         999, 1001, 1071, -1, 1000, 1010]


# -- seed drawings ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def seed_documents() -> tuple[bytes, ...]:
    """A few small valid drawings covering what the reader handles (built once with ezdxf)."""
    import logging

    import ezdxf

    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
    out = []
    for version, encoding in (("R12", None), ("R2000", "gbk"), ("R2013", None)):
        doc = ezdxf.new(version)
        if encoding:
            doc.encoding = encoding
        doc.header["$INSUNITS"] = 6
        msp = doc.modelspace()
        poly = msp.add_polyline2d if version == "R12" else msp.add_lwpolyline
        poly([(0, 0), (100, 0), (100, 80), (0, 80)], close=True, dxfattribs={"layer": "用地红线"})
        poly([(10, 10, 0.5), (40, 10, 0), (40, 30, 0), (10, 30, 0)], format="xyb", close=True,
             dxfattribs={"layer": "建筑轮廓"})
        msp.add_text("1# 6F", height=2.5, dxfattribs={"layer": "建筑轮廓", "insert": (20, 20)})
        msp.add_circle((70, 60), 8, dxfattribs={"layer": "绿地"})
        msp.add_line((0, -5), (100, -5), dxfattribs={"layer": "道路红线"})
        msp.add_text("容积率：0.45", height=2.5, dxfattribs={"layer": "经济技术指标", "insert": (110, 10)})
        blk = doc.blocks.new("CAR")
        getattr(blk, poly.__name__)([(0, 0), (2.5, 0), (2.5, 5), (0, 5)], close=True)
        msp.add_blockref("CAR", (60, 10), dxfattribs={"layer": "停车位"})
        part = doc.blocks.new("PART")
        getattr(part, poly.__name__)([(0, 0), (15, 0), (15, 10), (0, 10)], close=True)
        part.add_attdef("NAME", (1, 1))
        ref = msp.add_blockref("PART", (50, 40), dxfattribs={"layer": "建筑轮廓", "rotation": 30})
        ref.add_attrib("NAME", "2# 3F", (51, 41))
        if version != "R12":
            msp.add_mtext("3# 4F\\P住宅", dxfattribs={"layer": "建筑轮廓", "insert": (55, 45), "char_height": 2})
            hatch = msp.add_hatch(dxfattribs={"layer": "绿地"})
            hatch.paths.add_polyline_path([(60, 0), (80, 0), (80, 5), (60, 5)], is_closed=True)
            edges = hatch.paths.add_edge_path()
            edges.add_line((85, 0), (95, 0))
            edges.add_arc((90, 0), 5, 0, 180)
            msp.add_ellipse((20, 60), major_axis=(8, 0), ratio=0.5, dxfattribs={"layer": "绿地"})
            spline = msp.add_spline(dxfattribs={"layer": "集中绿地"})
            spline.set_closed([(30, 50, 0), (40, 48, 0), (42, 58, 0), (32, 60, 0)])
        stream = io.StringIO()
        doc.write(stream)
        out.append(stream.getvalue().encode(doc.output_encoding, errors="dxfreplace"))  # as saveas writes it
    return tuple(out)


# -- from scratch ----------------------------------------------------------------------------------
def _number(rnd: random.Random) -> str:
    pick = rnd.random()
    if pick < 0.15:
        return rnd.choice(NASTY_NUMBERS)
    if pick < 0.6:
        return repr(float(rnd.randint(-200, 200)))
    return repr(rnd.uniform(-1e4, 1e4))


def _value_for(code: int, rnd: random.Random) -> str:
    if code == 0:
        return rnd.choice(ENTITY_TYPES + STRUCTURE)
    if code == 8:
        return rnd.choice(LAYERS)
    if code in (1, 3):
        return rnd.choice(NASTY_TEXT)
    if code in (2, 6, 7):
        return rnd.choice(["CAR", "PART", "*Model_Space", "NOSUCH", "SELF", "Standard", ""])
    if code in (5, 330, 360, 105):
        return rnd.choice(["0", "1F", "FFFFFFFFFFFFFFFFFF", "ZZ", "", "2A"])
    if code == 100:
        return rnd.choice(["AcDbEntity", "AcDbPolyline", "AcDbText", "AcDbBlockReference", "AcDbHatch", "X"])
    if 60 <= code < 100 or 170 <= code < 180 or 270 <= code < 290:
        return str(rnd.choice([0, 1, 2, 3, 4, 6, 16, 32, 64, 255, -1, 2 ** 31, 1 << 40]))
    if code == 999:
        return "comment"
    if code < 0 or code >= 1000:
        return rnd.choice(NASTY_TEXT + NASTY_NUMBERS)
    return _number(rnd)


def _entity(rnd: random.Random, kind: str | None = None) -> list[str]:
    kind = kind or rnd.choice(ENTITY_TYPES)
    lines = ["0", kind, "8", rnd.choice(LAYERS)]
    if kind == "LWPOLYLINE":
        n = rnd.randint(0, 12)
        lines += ["90", str(n if rnd.random() < 0.8 else rnd.randint(0, 50)), "70", str(rnd.choice([0, 1, 128]))]
        for _ in range(n):
            lines += ["10", _number(rnd), "20", _number(rnd)]
            if rnd.random() < 0.2:
                lines += ["42", rnd.choice(["1", "-1", "0.5", "1e10", "nan", "-0"])]
    elif kind in ("CIRCLE", "ARC"):
        lines += ["10", _number(rnd), "20", _number(rnd), "40", _number(rnd)]
        if kind == "ARC":
            lines += ["50", _number(rnd), "51", _number(rnd)]
    elif kind in ("TEXT", "MTEXT", "ATTRIB"):
        lines += ["10", _number(rnd), "20", _number(rnd), "40", _number(rnd), "1", rnd.choice(NASTY_TEXT)]
        if kind == "ATTRIB":
            lines += ["2", rnd.choice(["NAME", "FLOORS", "", "楼号"])]
    elif kind == "INSERT":
        lines += ["2", rnd.choice(["CAR", "PART", "SELF", "NOSUCH", "*Model_Space"]), "10", _number(rnd),
                  "20", _number(rnd)]
        for code in rnd.sample([41, 42, 50, 70, 71, 44, 45, 66], rnd.randint(0, 4)):
            lines += [str(code), _value_for(code, rnd)]
    else:
        for _ in range(rnd.randint(0, 10)):
            code = rnd.choice(CODES[1:])
            lines += [str(code), _value_for(code, rnd)]
    return lines


def generate(rnd: random.Random) -> bytes:
    """A DXF written from scratch: optional header, optional blocks (self- or deeply nested), entities."""
    lines: list[str] = []
    if rnd.random() < 0.8:
        lines += ["0", "SECTION", "2", "HEADER"]
        for name, values in (("$ACADVER", ["AC1009", "AC1015", "AC1027", "AC1032", "AC9999", ""]),
                             ("$INSUNITS", ["0", "4", "6", "99", "-1", "x"]),
                             ("$DWGCODEPAGE", ["ANSI_936", "ANSI_1252", "ANSI_9999", "UTF8", ""])):
            if rnd.random() < 0.7:
                code = "1" if name != "$INSUNITS" else "70"
                lines += ["9", name, code, rnd.choice(values)]
        lines += ["0", "ENDSEC"]
    if rnd.random() < 0.5:
        lines += ["0", "SECTION", "2", "BLOCKS"]
        depth = rnd.choice([1, 2, 5, 70])
        for k in range(depth):
            name = "SELF" if k == depth - 1 and rnd.random() < 0.3 else f"B{k}"
            lines += ["0", "BLOCK", "8", "0", "2", name, "70", "0", "10", "0", "20", "0"]
            if k:
                lines += ["0", "INSERT", "8", "0", "2", f"B{k - 1}", "10", "1", "20", "1"]
            if name == "SELF":
                lines += ["0", "INSERT", "8", "0", "2", "SELF", "10", "0", "20", "0"]
            for _ in range(rnd.randint(0, 2)):
                lines += _entity(rnd)
            lines += ["0", "ENDBLK"]
        lines += ["0", "ENDSEC"]
    lines += ["0", "SECTION", "2", "ENTITIES"]
    for _ in range(rnd.randint(0, 25)):
        lines += _entity(rnd)
    if rnd.random() < 0.3:
        lines += ["0", "INSERT", "8", rnd.choice(LAYERS), "2", rnd.choice(["B0", "B4", "B69", "SELF"]),
                  "10", "0", "20", "0"]
    lines += ["0", "ENDSEC"]
    if rnd.random() < 0.9:
        lines += ["0", "EOF"]
    text = "\n".join(lines) + "\n"
    return text.encode(rnd.choice(["utf-8", "utf-8", "gbk"]), errors="replace")


# -- mutations -------------------------------------------------------------------------------------
def _pairs_region(lines: list[bytes], rnd: random.Random) -> tuple[int, int]:
    """Line index range to mutate: mostly the BLOCKS/ENTITIES sections, where the reader's work is."""
    if rnd.random() < 0.25:
        return 0, len(lines)
    starts = [i for i in range(len(lines) - 1) if lines[i].strip() in (b"ENTITIES", b"BLOCKS")]
    if not starts:
        return 0, len(lines)
    start = rnd.choice(starts)
    end = next((i for i in range(start, len(lines)) if lines[i].strip() == b"ENDSEC"), len(lines))
    return start, max(end, start + 1)


def mutate(data: bytes, rnd: random.Random, n_mutations: int | None = None) -> bytes:
    """``data`` after 1-8 random edits of its lines: drop, duplicate, swap, corrupt numbers, codes, text, bytes."""
    lines = data.split(b"\n")
    for _ in range(n_mutations or rnd.randint(1, 8)):
        if len(lines) < 4:
            lines += [b"0", b"EOF"]
        lo, hi = _pairs_region(lines, rnd)
        i = rnd.randrange(lo, min(hi, len(lines)))
        op = rnd.randrange(13)
        if op == 0:  # drop one line: every following pair shifts
            del lines[i]
        elif op == 1:  # drop a code/value pair
            del lines[i:i + 2]
        elif op == 2:  # duplicate a range
            j = min(len(lines), i + 2 * rnd.randint(1, 20))
            lines[i:i] = lines[i:j]
        elif op == 3:  # swap two pairs
            j = rnd.randrange(lo, min(hi, len(lines)))
            i, j = i - i % 2, j - j % 2
            if j + 1 < len(lines) and i + 1 < len(lines):
                lines[i:i + 2], lines[j:j + 2] = lines[j:j + 2], lines[i:i + 2]
        elif op == 4:  # corrupt a number
            nums = [k for k in range(lo, min(hi, len(lines))) if _is_number(lines[k])]
            if nums:
                lines[rnd.choice(nums)] = rnd.choice(NASTY_NUMBERS).encode()
        elif op == 5:  # scale a coordinate wildly
            nums = [k for k in range(lo, min(hi, len(lines))) if _is_number(lines[k]) and b"." in lines[k]]
            if nums:
                k = rnd.choice(nums)
                lines[k] = repr(float(lines[k]) * rnd.choice([1e6, 1e12, 1e300, -1, 0.0, 1e-300])).encode()
        elif op == 6:  # replace a group code
            lines[i] = str(rnd.choice(CODES)).encode()
        elif op == 7:  # insert a random entity
            lines[i:i] = [s.encode("utf-8") for s in _entity(rnd)]
        elif op == 8:  # change a structural token
            tokens = [k for k in range(len(lines)) if lines[k].strip() in {s.encode() for s in STRUCTURE}]
            if tokens:
                lines[rnd.choice(tokens)] = rnd.choice(STRUCTURE + ENTITY_TYPES).encode()
        elif op == 9:  # hostile or undecodable text
            value = rnd.choice([s.encode("utf-8") for s in NASTY_TEXT] + [b"\xff\xfe\xc3", "楼".encode("gbk"), b"\x00",
                                                                        b"\r", b"\x1a", b"\\U+D800"])
            lines[i] = lines[i] + value if rnd.random() < 0.5 else value
        elif op == 10:  # truncate
            lines = lines[:i]
        elif op == 11:  # a layer becomes a role layer (or the other way round)
            layers = [k + 1 for k in range(lo, min(hi, len(lines)) - 1) if lines[k].strip() == b"8"]
            if layers:
                lines[rnd.choice(layers)] = rnd.choice(LAYERS).encode("utf-8")
        else:  # flip bytes
            raw = bytearray(lines[i])
            for _ in range(rnd.randint(1, 3)):
                if raw:
                    raw[rnd.randrange(len(raw))] = rnd.randrange(256)
            lines[i] = bytes(raw)
    return b"\n".join(lines)


def _is_number(line: bytes) -> bool:
    try:
        float(line)
    except ValueError:
        return False
    return True


def dxf_input(rnd: random.Random) -> bytes:
    """One fuzz input: mostly a mutated seed drawing, else a drawing from scratch (sometimes mutated too)."""
    if rnd.random() < 0.7:
        return mutate(rnd.choice(seed_documents()), rnd)
    data = generate(rnd)
    return mutate(data, rnd) if rnd.random() < 0.5 else data


# -- for the fast reader: valid drawings of many forms, and edits that keep the tag pairs -------------------
#: Layers of the drawings below: role layers, names a role is inferred from, layers without a role.
READER_LAYERS = ["用地红线", "建筑轮廓", "绿地", "停车位", "道路红线", "经济技术指标", "地下室", "周边建筑", "现状保留建筑",
                 "0-用地范围", "ZP-用地红线", "总图-建筑轮廓", "A-WALL", "标注", "DEFPOINTS", "家具", "0", "铺装", "Hidden-X"]


def valid_drawing(rnd: random.Random) -> bytes:
    """A drawing ezdxf writes (so its structure is valid), with entities, attributes and blocks drawn at random."""
    import logging

    import ezdxf

    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
    version = rnd.choice(["R12", "R2000", "R2007", "R2013", "R2018"])
    doc = ezdxf.new(version, setup=rnd.random() < 0.3)
    if version in ("R12", "R2000") and rnd.random() < 0.4:
        doc.encoding = "gbk"
    doc.header["$INSUNITS"] = rnd.choice([4, 6, 6, 6, 0, 5])
    for name in READER_LAYERS[1:]:
        if name not in doc.layers and rnd.random() < 0.8:
            layer = doc.layers.add(name, color=rnd.choice([1, 2, 3, 7]))
            if rnd.random() < 0.12:
                layer.off()
            if rnd.random() < 0.08:
                layer.freeze()
    msp = doc.modelspace()
    lw = version != "R12"
    blocks = []
    for b in range(rnd.randint(0, 4)):
        block = doc.blocks.new(f"B{b}", base_point=(rnd.choice([0, 0, 5]), 0))
        for _ in range(rnd.randint(1, 4)):
            _random_entity(rnd, block, lw, blocks, doc)
        blocks.append(block.name)
    for _ in range(rnd.randint(1, 40)):
        _random_entity(rnd, msp, lw, blocks, doc)
    if lw and rnd.random() < 0.4:  # rows of stalls, as drawn by copying: the fast reader's runs
        for _ in range(rnd.randint(1, 3)):
            _polyline_row(rnd, msp, doc)
    if rnd.random() < 0.3:
        psp = doc.paperspace()
        for _ in range(rnd.randint(1, 3)):
            _random_entity(rnd, psp, lw, [], doc)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode(doc.output_encoding, errors="dxfreplace")


def _polyline_row(rnd: random.Random, space, doc) -> None:
    """6-24 consecutive LWPOLYLINEs on one layer, most of them closed rectangles; now and then one open,
    curved, with two vertices or with its ends meeting, or the whole row mirrored (an extrusion)."""
    att = _attribs(rnd, doc)
    if rnd.random() < 0.5:
        att["layer"] = "停车位"
    if rnd.random() < 0.1:
        att["extrusion"] = (0, 0, -1)
    x0, y0 = rnd.uniform(-50, 150), rnd.uniform(-50, 150)
    for k in range(rnd.randint(6, 24)):
        x = x0 + 2.5 * k
        points = [(x, y0, 0.0), (x + 2.5, y0, 0.0), (x + 2.5, y0 + 5.3, 0.0), (x, y0 + 5.3, 0.0)]
        closed = True
        odd = rnd.random()
        if odd < 0.04:
            closed = False
        elif odd < 0.08:
            points[1] = (x + 2.5, y0, rnd.choice([0.5, -1.0]))
        elif odd < 0.11:
            points = points[:2]
        elif odd < 0.14:
            points, closed = points + [points[0]], False
        space.add_lwpolyline(points, format="xyb", close=closed, dxfattribs=att)


def _attribs(rnd: random.Random, doc) -> dict:
    out = {"layer": rnd.choice(READER_LAYERS)}
    if rnd.random() < 0.2:
        out["color"] = rnd.choice([0, 1, 7, 256, 257])
    if rnd.random() < 0.1:
        out["linetype"] = rnd.choice(["BYLAYER", "Continuous", "BYBLOCK"])
    if rnd.random() < 0.1 and doc.dxfversion > "AC1009":
        out["lineweight"] = rnd.choice([-1, 0, 25, 50])
    return out


def _random_entity(rnd: random.Random, space, lw: bool, blocks: list[str], doc) -> None:
    kind = rnd.random()
    att = _attribs(rnd, doc)
    x, y = rnd.uniform(-50, 150), rnd.uniform(-50, 150)
    w, h = rnd.uniform(1, 40), rnd.uniform(1, 40)
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    if kind < 0.3:
        if rnd.random() < 0.3:
            corners = [(px, py, 0, 0, rnd.choice([0, 0, 0.5, -1, 0.2])) for px, py in corners]
            fmt = "xyseb"
        else:
            fmt = "xy"
        closed = rnd.random() < 0.8
        if rnd.random() < 0.1:
            corners = corners + [corners[0]]
        if lw:
            if rnd.random() < 0.1:
                att["extrusion"] = rnd.choice([(0, 0, 1), (0, 0, -1), (0.6, 0, 0.8)])
            if rnd.random() < 0.1:
                att["elevation"] = rnd.choice([0.0, 3.0])
            if rnd.random() < 0.1:
                att["const_width"] = 0.5
            space.add_lwpolyline(corners, format=fmt, close=closed, dxfattribs=att)
        else:
            space.add_polyline2d([c[:2] for c in corners], close=closed, dxfattribs=att)
    elif kind < 0.45:
        text = rnd.choice(["1# 18F", "2# 5F 住宅", "3# 12F H=36m", "-2F", "容积率：2.5", "12.50", "300", "A-1", "%%c20",
                           "绿地率:35%", ""])
        if rnd.random() < 0.5 or not lw:
            t = space.add_text(text, height=rnd.choice([0.5, 2.5, 3.0]), dxfattribs={**att, "insert": (x + 1, y + 1),
                                                                                   "rotation": rnd.choice([0, 0, 90])})
            if rnd.random() < 0.3:
                from ezdxf.enums import TextEntityAlignment

                t.set_placement((x + 2, y + 2), (x + 9, y + 2), align=rnd.choice(list(TextEntityAlignment)))
        else:
            space.add_mtext(text.replace(" ", "\\P") if rnd.random() < 0.5 else text,
                            dxfattribs={**att, "insert": (x + 1, y + 1), "char_height": rnd.choice([1.0, 2.5])})
    elif kind < 0.55:
        space.add_line((x, y), (x + w, y + h), dxfattribs=att)
    elif kind < 0.62:
        space.add_circle((x, y), rnd.choice([0.5, 3.0, 0.0]), dxfattribs=att)
    elif kind < 0.67:
        space.add_arc((x, y), 4.0, rnd.uniform(0, 360), rnd.uniform(0, 360), dxfattribs=att)
    elif kind < 0.8 and blocks:
        ref = space.add_blockref(rnd.choice(blocks), (x, y), dxfattribs={
            **att, "rotation": rnd.choice([0, 0, 30, 90]), "xscale": rnd.choice([1, 1, 2, -1, 0.001]),
            "yscale": rnd.choice([1, 1, 2, 1e-9])})
        if rnd.random() < 0.15:
            ref.grid(size=(rnd.randint(1, 3), rnd.randint(1, 3)), spacing=(3, 4))
        if rnd.random() < 0.15:
            ref.add_attrib("NAME", rnd.choice(["1#", "2# 6F"]), (x, y))
    elif kind < 0.85 and lw:
        hatch = space.add_hatch(dxfattribs=att)
        hatch.paths.add_polyline_path(corners, is_closed=True)
    elif kind < 0.9 and lw:
        dim = space.add_linear_dim(base=(x, y + 2), p1=(x, y), p2=(x + w, y), dxfattribs=att)
        dim.render()
    elif kind < 0.93:
        space.add_point((x, y), dxfattribs=att)
    elif kind < 0.96:
        space.add_solid(corners, dxfattribs=att)
    elif lw:
        space.add_ellipse((x, y), major_axis=(w, 0), ratio=0.5, dxfattribs=att)


#: Value edits for :func:`mutate_values`: numbers, names, flags that ezdxf reads or audits.
_VALUE_EDITS = {
    "number": NASTY_NUMBERS + ["1e-5", "-0.0", "1e11", "123456.789", "1.5"],
    "layer": READER_LAYERS + ["bad/name", "<x>", "", " 建筑轮廓 "],
    "color": ["-1", "0", "256", "257", "300", "7"],
    "lineweight": ["-3", "13", "17", "211", "999"],
    "linetype": ["BYLAYER", "byblock", "Continuous", "NOSUCH", ""],
    "text": NASTY_TEXT,
    "flag": ["0", "1", "2", "4", "128", "129", "-1"],
    "handle": ["1F", "2A", "0", "FFFF", ""],
}
#: Group code -> the kind of edit it takes.
_EDIT_OF = {8: "layer", 62: "color", 370: "lineweight", 6: "linetype", 1: "text", 3: "text", 70: "flag", 71: "flag",
            66: "flag", 67: "flag", 5: "handle", 330: "handle", 2: "layer", 7: "linetype", 440: "flag", 90: "flag"}


def mutate_values(data: bytes, rnd: random.Random, n_edits: int | None = None) -> bytes:
    """``data`` with 1-4 values replaced (the tags stay paired): numbers, layers, colours, flags, handles, text."""
    lines = data.split(b"\n")
    for _ in range(n_edits or rnd.randint(1, 4)):
        lo, hi = _pairs_region(lines, rnd)
        pairs = [k for k in range(lo - lo % 2, min(hi, len(lines) - 1), 2)]
        if not pairs:
            break
        k = rnd.choice(pairs)
        try:
            code = int(lines[k])
        except ValueError:
            continue
        kind = _EDIT_OF.get(code) or ("number" if 10 <= code < 60 or 110 <= code < 240 else None)
        if kind is None:
            continue
        lines[k + 1] = rnd.choice(_VALUE_EDITS[kind]).encode("utf-8")
    return b"\n".join(lines)


def reader_input(rnd: random.Random) -> bytes:
    """An input for comparing the readers: a valid drawing, half the time with a few values edited."""
    data = valid_drawing(rnd)
    return mutate_values(data, rnd) if rnd.random() < 0.5 else data
