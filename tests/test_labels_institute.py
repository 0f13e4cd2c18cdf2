"""Labels as institutes write them (issue 11): every form the issue names, the forms table and docs/labels.md.

Expected values are written by hand from the label text; the forms table's
own examples are checked too, but the tests below do not read the table.
"""

from pathlib import Path

import pytest

from drawcheck.readers import labels_doc
from drawcheck.readers.labels import Label, chinese_number, label_forms, parse_token, read_label

ROOT = Path(__file__).resolve().parents[1]

HEIGHTS = [
    ("建筑高度99.0m", 99.0), ("H=99.0米", 99.0), ("54.0米", 54.0), ("H=54.0M", 54.0), ("高度:54.0m", 54.0),
    ("高度：54.0m", 54.0), ("h=54", 54.0), ("H:54.0", 54.0), ("建筑高度：99.0", 99.0), ("H = 54.0 m".replace(" m", "m"), 54.0),
    ("高度54", 54.0), ("54M", 54.0), ("Ｈ＝９９．０米", 99.0), ("建筑高度 : 99.5米", 99.5),
]


@pytest.mark.parametrize("text,height", HEIGHTS)
def test_height_forms(text, height):
    label, conflicts, unknown = read_label([text])
    assert (label, conflicts, unknown) == (Label(height=height), [], [])


FLOORS = [
    ("18F", 18, None), ("18层", 18, None), ("地上18层", 18, None), ("十八层", 18, None), ("地上十八层", 18, None),
    ("二十五层", 25, None), ("三十三层", 33, None), ("两层", 2, None), ("十层", 10, None),
    ("18F/-2F", 18, 2), ("18/-2F", 18, 2), ("18层/-1层", 18, 1),
    ("-2F", None, 2), ("地下2层", None, 2), ("地下二层", None, 2), ("B1", None, 1),
]


@pytest.mark.parametrize("text,floors,below", FLOORS)
def test_floor_forms(text, floors, below):
    label, _, unknown = read_label([text])
    assert (label.floors, label.floors_below, unknown) == (floors, below, [])


NAMES = [
    ("1#", "1#", None), ("1号楼", "1号楼", None), ("1栋", "1栋", None), ("1幢", "1幢", None), ("A座", "A座", None),
    ("A栋", "A栋", None), ("1#楼", "1#楼", None), ("1#住宅楼", "1#", "residential"), ("2#商业", "2#", "commercial"),
    ("5号办公楼", "5号楼", "office"),
]


@pytest.mark.parametrize("text,name,use", NAMES)
def test_name_forms(text, name, use):
    label, _, unknown = read_label([text])
    assert (label.name, label.use, unknown) == (name, use, [])


USES = [("住宅", "residential"), ("住宅楼", "residential"), ("公寓", "public"), ("商业", "commercial"),
        ("办公", "office"), ("办公楼", "office"), ("公建", "public"), ("配套", "ancillary"), ("工业", "industrial"),
        ("商住", "mixed"), ("酒店", "public"), ("幼儿园", "public")]


@pytest.mark.parametrize("text,use", USES)
def test_use_words(text, use):
    assert read_label([text])[0] == Label(use=use)


WHOLE_LABELS = [
    ("1号楼 地上18层 H=54.0m 住宅", Label(name="1号楼", floors=18, height=54.0, use="residential")),
    ("1#住宅楼 18/-2F 建筑高度54.0米", Label(name="1#", floors=18, floors_below=2, height=54.0, use="residential")),
    ("A座\n十八层\n高度：54.0m\n办公楼", Label(name="A座", floors=18, height=54.0, use="office")),
    ("3#楼，11F，H=33.0M，耐火等级：二级", Label(name="3#楼", floors=11, height=33.0, fire_rating=2)),
]


@pytest.mark.parametrize("text,expected", WHOLE_LABELS)
def test_whole_institute_labels(text, expected):
    assert read_label([text]) == (expected, [], [])


def test_what_is_not_understood_is_returned_as_written():
    label, _, unknown = read_label(["1# 18F 高层 18 一期", "0F 18"])
    assert label == Label(name="1#", floors=18)
    assert unknown == ["高层", "18", "一期", "0F"]


def test_chinese_numbers():
    cases = {"一": 1, "九": 9, "十": 10, "十一": 11, "二十": 20, "九十九": 99, "一百": 100, "一百零二": 102,
             "一百一十": 110, "两": 2, "二十两": None, "零": None, "十十": None, "百": None, "": None, "一百十": None}
    assert {k: chinese_number(k) for k in cases} == cases


def test_forms_table_examples_read_as_stated():
    for form in label_forms().forms:
        assert form.examples, f"form {form.form} has no example"
        for text, value in form.examples:
            values = value if len(form.fields) > 1 else [value]
            assert parse_token(text) == list(zip(form.fields, values)), (form.form, text)


def test_every_use_word_is_a_use_key():
    from drawcheck.model import USE_NAMES

    assert set(label_forms().uses.values()) <= set(USE_NAMES)


def test_docs_labels_md_is_current():
    assert (ROOT / "docs" / "labels.md").read_text(encoding="utf-8") == labels_doc.render(), \
        "docs/labels.md is stale: python -m drawcheck.readers.labels_doc > docs/labels.md"


def test_docs_list_every_form_and_use_word():
    text = (ROOT / "docs" / "labels.md").read_text(encoding="utf-8")
    for form in label_forms().forms:
        assert f"`{form.form.replace('|', chr(92) + '|')}`" in text
        for example, _ in form.examples:
            assert f"`{example}`" in text
    for word in label_forms().uses:
        assert f"| {word} |" in text


@pytest.mark.parametrize("text,expected", [
    ("H = 12.0 M", Label(height=12.0)), ("18 F", Label(floors=18)), ("120 户", Label(households=120)),
    ("高度 : 54.0 米", Label(height=54.0)), ("层高 3.0 m", Label(storey_height=3.0)), ("地上 十八层", Label(floors=18)),
])
def test_spaces_inside_a_value_are_dropped(text, expected):
    assert read_label([text]) == (expected, [], [])
