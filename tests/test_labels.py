"""Building-part labels: convention section 4."""

import pytest

from drawcheck.readers.labels import (
    USES,
    Label,
    LabelConflict,
    label_from_attribs,
    merge_labels,
    parse_label,
    tokenize,
)

# (token, expected Label) -- every form the convention lists.
TOKENS = [
    ("1#", Label(name="1#")),
    ("1#楼", Label(name="1#楼")),
    ("3#楼", Label(name="3#楼")),
    ("12号楼", Label(name="12号楼")),
    ("A栋", Label(name="A栋")),
    ("B幢", Label(name="B幢")),
    ("18F", Label(floors=18)),
    ("18f", Label(floors=18)),
    ("18层", Label(floors=18)),
    ("-2F", Label(floors_below=2)),
    ("-2f", Label(floors_below=2)),
    ("地下2层", Label(floors_below=2)),
    ("B2", Label(floors_below=2)),
    ("b2", Label(floors_below=2)),
    ("H=54.0", Label(height=54.0)),
    ("H=54.0m", Label(height=54.0)),
    ("h=54", Label(height=54.0)),
    ("54.0m", Label(height=54.0)),
    ("54m", Label(height=54.0)),
    ("高度54.0米", Label(height=54.0)),
    ("高度54.0m", Label(height=54.0)),
    ("层高3.0", Label(storey_height=3.0)),
    ("层高3.0m", Label(storey_height=3.0)),
    ("FH=3.0", Label(storey_height=3.0)),
    ("120户", Label(households=120)),
    ("一级", Label(fire_rating=1)),
    ("二级", Label(fire_rating=2)),
    ("三级", Label(fire_rating=3)),
    ("四级", Label(fire_rating=4)),
    ("耐火等级二级", Label(fire_rating=2)),
    # full-width forms are normalised first
    ("１＃", Label(name="1#")),
    ("１８Ｆ", Label(floors=18)),
    ("Ｈ＝５４．０ｍ", Label(height=54.0)),
    ("Ｂ２", Label(floors_below=2)),
]

USE_TOKENS = [(word, Label(use=key)) for word, key in USES.items()]

# Tokens that must match nothing.
NEAR_MISSES = [
    "18",  # a bare number
    "54.0",
    "1#楼18F",  # one token, not split
    "18F54m",
    "0F",  # floors must be positive
    "0m",
    "H=0",
    "0户",
    "B0",
    "1.5F",  # floors are whole
    "B2F",
    "H=",
    "#",
    "#楼",
    "号楼",
    "栋",
    "五级",
    "耐火等级",
    "residential",
    "H=-5",
]


@pytest.mark.parametrize("token,expected", TOKENS + USE_TOKENS)
def test_each_token_form(token, expected):
    assert parse_label([token]) == (expected, [])


@pytest.mark.parametrize("token", NEAR_MISSES)
def test_near_misses_match_nothing(token):
    assert parse_label([token]) == (Label(), [])


def test_b2_is_not_a_name():
    label, _ = parse_label(["B2"])
    assert label.name is None and label.floors_below == 2


def test_height_with_m_is_not_floors():
    assert parse_label(["54.0m 18F"])[0] == Label(floors=18, height=54.0)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1#楼 18F", ["1#楼", "18F"]),
        ("1#楼\n18F\r\nH=54m", ["1#楼", "18F", "H=54m"]),
        ("1#,18F，54m;二级；住宅/120户、B2", ["1#", "18F", "54m", "二级", "住宅", "120户", "B2"]),
        ("  1#\t\t18F  ", ["1#", "18F"]),
        ("１＃　１８Ｆ", ["1#", "18F"]),  # full-width space separates too
        ("", []),
        (" ,, ", []),
    ],
)
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_full_label_over_several_texts():
    label, conflicts = parse_label(["1#楼", "18F H=54.0m", "住宅，耐火等级一级", "120户 层高3.0"])
    assert conflicts == []
    assert label == Label(
        name="1#楼", floors=18, height=54.0, storey_height=3.0,
        households=120, use="residential", fire_rating=1,
    )


def test_unknown_tokens_do_not_change_the_label():
    assert parse_label(["说明：本楼 1# 共 18F"])[0] == Label(name="1#", floors=18)


def test_same_value_twice_is_not_a_conflict():
    label, conflicts = parse_label(["18F 54m", "18层 H=54.0", "高度54米"])
    assert conflicts == []
    assert label == Label(floors=18, height=54.0)


@pytest.mark.parametrize(
    "texts,conflict,kept",
    [
        (["18F", "20F"], LabelConflict("floors", (18, 20)), 18),
        (["54m", "H=60"], LabelConflict("height", (54.0, 60.0)), 54.0),
        (["1#", "2#"], LabelConflict("name", ("1#", "2#")), "1#"),
        (["2#", "1#"], LabelConflict("name", ("1#", "2#")), "2#"),
        (["1#", "1#楼"], LabelConflict("name", ("1#", "1#楼")), "1#"),
        (["住宅 商业"], LabelConflict("use", ("commercial", "residential")), "residential"),
        (["9F 10F"], LabelConflict("floors", (10, 9)), 9),  # sorted as strings
    ],
)
def test_conflicts(texts, conflict, kept):
    label, conflicts = parse_label(texts)
    assert conflicts == [conflict]
    assert getattr(label, conflict.field) == kept


def test_three_values_one_conflict():
    _, conflicts = parse_label(["18F", "20F", "18层", "22F"])
    assert conflicts == [LabelConflict("floors", (18, 20, 22))]


def test_empty_input():
    assert parse_label([]) == (Label(), [])


# --- ATTRIBs -----------------------------------------------------------------

ATTRIBS = [
    ({"NAME": "1#"}, Label(name="1#")),
    ({"NAME": "Tower A"}, Label(name="Tower A")),
    ({"FLOORS": "18"}, Label(floors=18)),
    ({"FLOORS": "18F"}, Label(floors=18)),
    ({"FLOORS": "18层"}, Label(floors=18)),
    ({"FLOORS": "B2"}, Label(floors_below=2)),
    ({"FLOORS": "-2F"}, Label(floors_below=2)),
    ({"HEIGHT": "54"}, Label(height=54.0)),
    ({"HEIGHT": "54.0"}, Label(height=54.0)),
    ({"HEIGHT": "54.0m"}, Label(height=54.0)),
    ({"HEIGHT": "54.0米"}, Label(height=54.0)),
    ({"HEIGHT": "H=54.0"}, Label(height=54.0)),
    ({"USE": "住宅"}, Label(use="residential")),
    ({"USE": "residential"}, Label(use="residential")),
    ({"USE": "Commercial"}, Label(use="commercial")),
    ({"USE": "配套"}, Label(use="ancillary")),
    ({"RATING": "二级"}, Label(fire_rating=2)),
    ({"RATING": "2"}, Label(fire_rating=2)),
    ({"RATING": "耐火等级一级"}, Label(fire_rating=1)),
    ({"HOUSEHOLDS": "120"}, Label(households=120)),
    ({"HOUSEHOLDS": "120户"}, Label(households=120)),
    ({"STOREY_HEIGHT": "3.0"}, Label(storey_height=3.0)),
    ({"STOREY_HEIGHT": "3.0m"}, Label(storey_height=3.0)),
    ({"STOREY_HEIGHT": "层高3.0"}, Label(storey_height=3.0)),
    ({"floors": "18", "height": "54", "Name": "2#"}, Label(name="2#", floors=18, height=54.0)),
    ({"FLOORS": "１８"}, Label(floors=18)),
    ({"FLOORS": " 18 "}, Label(floors=18)),
    ({"FLOORS": ""}, Label()),  # empty = not given
    ({"OWNER": "x", "FLOORS": "6"}, Label(floors=6)),  # unknown tags ignored
]


@pytest.mark.parametrize("attribs,expected", ATTRIBS)
def test_attribs(attribs, expected):
    assert label_from_attribs(attribs) == (expected, [])


@pytest.mark.parametrize(
    "tag,value",
    [
        ("FLOORS", "十八"),
        ("FLOORS", "0"),
        ("FLOORS", "18.5"),
        ("FLOORS", "54m"),
        ("HEIGHT", "18F"),
        ("HEIGHT", "abc"),
        ("HEIGHT", "0"),
        ("USE", "hotel"),
        ("RATING", "5"),
        ("RATING", "五级"),
        ("HOUSEHOLDS", "many"),
        ("STOREY_HEIGHT", "3,0"),
    ],
)
def test_attrib_problems_name_tag_and_value(tag, value):
    label, problems = label_from_attribs({tag: value, "NAME": "1#"})
    assert label == Label(name="1#")
    assert len(problems) == 1
    assert tag in problems[0] and repr(value) in problems[0]


def test_attrib_tags_differing_in_case_with_different_values():
    label, problems = label_from_attribs({"FLOORS": "18", "floors": "20"})
    assert label.floors == 18
    assert len(problems) == 1 and "floors" in problems[0]


# --- merging -----------------------------------------------------------------


def test_merge_attrib_and_text_labels():
    attrib = Label(name="1#", floors=18)
    text = Label(height=54.0, floors=18, use="residential")
    assert merge_labels([attrib, text]) == (
        Label(name="1#", floors=18, height=54.0, use="residential"),
        [],
    )


def test_merge_conflict_keeps_first():
    label, conflicts = merge_labels([Label(floors=18), Label(), Label(floors=20, height=60.0)])
    assert label == Label(floors=18, height=60.0)
    assert conflicts == [LabelConflict("floors", (18, 20))]


def test_merge_nothing():
    assert merge_labels([]) == (Label(), [])
