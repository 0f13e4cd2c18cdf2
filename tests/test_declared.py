"""Declared indicators: convention section 7."""

import pytest

from drawcheck.readers.declared import DECLARED_NAMES, Declared, TextItem, parse_declared


def one(text, x=0.0, y=0.0, height=2.5, handle="A"):
    return TextItem(text, x, y, height, handle)


def values(items):
    found, problems = parse_declared(items)
    return {k: d.value for k, d in found.items()}, problems


def test_table_is_the_conventions():
    assert DECLARED_NAMES == {
        "site_area": ("总用地面积", "用地面积", "规划用地面积", "site area"),
        "gfa_total": ("总建筑面积", "gross floor area"),
        "gfa_far": ("计容建筑面积", "计容面积"),
        "far": ("容积率", "FAR", "plot ratio"),
        "coverage": ("建筑密度", "建筑覆盖率", "coverage"),
        "green_ratio": ("绿地率", "green ratio"),
        "max_height": ("建筑高度", "最大建筑高度", "building height"),
        "parking_spaces": ("机动车停车位", "停车位", "机动车位", "parking"),
    }


# (text, key, value): each name of each key, with a value of the right kind.
NAMES = [
    ("总用地面积：8000㎡", "site_area", 8000.0),
    ("用地面积：8000", "site_area", 8000.0),
    ("规划用地面积 8000m2", "site_area", 8000.0),
    ("site area: 8000 m²", "site_area", 8000.0),
    ("Site Area 8000", "site_area", 8000.0),
    ("总建筑面积：22,200.5㎡", "gfa_total", 22200.5),
    ("gross floor area: 22200", "gfa_total", 22200.0),
    ("计容建筑面积：20000㎡", "gfa_far", 20000.0),
    ("计容面积 20000", "gfa_far", 20000.0),
    ("容积率：2.5", "far", 2.5),
    ("FAR 2.5", "far", 2.5),
    ("far:2.5", "far", 2.5),
    ("plot ratio 2.50", "far", 2.5),
    ("建筑密度：15.75%", "coverage", 0.1575),
    ("建筑覆盖率 0.1575", "coverage", 0.1575),
    ("coverage: 20%", "coverage", 0.2),
    ("绿地率：35%", "green_ratio", 0.35),
    ("green ratio 0.35", "green_ratio", 0.35),
    ("建筑高度：54.0m", "max_height", 54.0),
    ("最大建筑高度 80m", "max_height", 80.0),
    ("building height: 54", "max_height", 54.0),
    ("机动车停车位：120辆", "parking_spaces", 120.0),
    ("停车位 120个", "parking_spaces", 120.0),
    ("机动车位：120", "parking_spaces", 120.0),
    ("parking 120", "parking_spaces", 120.0),
]


@pytest.mark.parametrize("text,key,value", NAMES)
def test_each_name(text, key, value):
    found, problems = parse_declared([one(text)])
    assert problems == []
    assert list(found) == [key]
    assert found[key].value == pytest.approx(value, rel=1e-12)
    assert found[key].text == text and found[key].handles == ("A",)


@pytest.mark.parametrize(
    "text,key",
    [
        ("计容建筑面积：20000", "gfa_far"),  # not gfa_total
        ("总建筑面积：20000", "gfa_total"),
        ("最大建筑高度：80m", "max_height"),
        ("机动车停车位：120", "parking_spaces"),
        ("规划用地面积：8000", "site_area"),
    ],
)
def test_longest_name_wins(text, key):
    assert list(parse_declared([one(text)])[0]) == [key]


@pytest.mark.parametrize(
    "text,value",
    [
        ("容积率：2.5", 2.5),
        ("容积率:2.5", 2.5),
        ("容积率 : 2.5", 2.5),
        ("容积率： 2.5", 2.5),
        ("容积率 2.5", 2.5),
        ("容积率2.5", 2.5),
        ("容积率\t2.5", 2.5),
        ("  容积率：2.5  ", 2.5),
        ("容积率：２．５", 2.5),  # full-width digits
        ("容积率：.5", 0.5),
        ("总建筑面积：22,200.5", 22200.5),
        ("总建筑面积：1,234,567㎡", 1234567.0),
        ("总建筑面积 1,234,567 ㎡", 1234567.0),
        ("绿地率：35％", 0.35),  # full-width percent
        ("绿地率(%)：35", 0.35),  # unit in brackets after the name
        ("绿地率（%）35", 0.35),
        ("总建筑面积（㎡）：22200", 22200.0),
        ("总建筑面积(m2)：22200㎡", 22200.0),  # same unit, two spellings
        ("停车位(个)：120辆", 120.0),
    ],
)
def test_colons_units_and_numbers(text, value):
    found, problems = parse_declared([one(text)])
    assert problems == []
    [declared] = found.values()
    assert declared.value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "经济技术指标",  # a title
        "注：容积率不含地下",  # a note: name part matches nothing
        "1#楼建筑面积 1200",
        "建筑面积：22200",  # not a convention name
        "停车位数量：120",
        "容积率限值 2.5",
        "FARM 2.5",
        "2.5",  # a lone value with no name in its row
        "㎡",
        "",
    ],
)
def test_non_items_are_ignored_silently(text):
    assert parse_declared([one(text)]) == ({}, [])


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("容积率：约2.5", "cannot read value '约2.5'"),
        ("容积率：2.5（不大于2.5）", "cannot read value"),
        ("总建筑面积：2.2万㎡", "cannot read value"),
        ("容积率：-2.5", "cannot read value"),
        ("容积率：2,5", "cannot read value"),
        ("建筑高度：54米", "cannot read value"),
        ("容积率：2.5%", "unit '%' does not fit far"),
        ("建筑高度：54㎡", "does not fit max_height"),
        ("总用地面积：8000m", "does not fit site_area"),
        ("绿地率(%)：0.35㎡", "units disagree"),
        ("停车位：120.5", "whole number"),
        ("容积率：" + "9" * 400, "cannot read value"),
    ],
)
def test_unreadable_values_are_problems(text, fragment):
    found, problems = parse_declared([one(text, handle="2F")])
    assert found == {}
    assert len(problems) == 1
    assert fragment in problems[0] and "2F" in problems[0]


def test_name_without_value():
    found, problems = parse_declared([one("容积率：", handle="1A"), one("绿地率", y=-10, handle="1B")])
    assert found == {}
    assert problems == [
        "declared far: '容积率：' (handle 1A) has no value",
        "declared green_ratio: '绿地率' (handle 1B) has no value",
    ]


def test_duplicates():
    found, problems = parse_declared(
        [
            one("容积率：2.5", y=0, handle="A"),
            one("容积率 2.50", y=-10, handle="B"),  # same value: fine
            one("FAR: 2.6", y=-20, handle="C"),
        ]
    )
    assert found["far"] == Declared("far", 2.5, "容积率：2.5", ("A",))
    assert problems == ["declared far given twice: 2.5 (handle A) and 2.6 (handle C); keeping 2.5"]


def test_several_keys_at_once():
    got, problems = values(
        [
            one("经济技术指标", y=10),
            one("总用地面积：8000㎡", y=0),
            one("总建筑面积：22200㎡", y=-4),
            one("计容建筑面积：20000㎡", y=-8),
            one("容积率：2.50", y=-12),
            one("建筑密度：15.75%", y=-16),
            one("绿地率：35%", y=-20),
            one("建筑高度：54.0m", y=-24),
            one("机动车停车位：10辆", y=-28),
        ]
    )
    assert problems == []
    assert got == pytest.approx({
        "site_area": 8000.0, "gfa_total": 22200.0, "gfa_far": 20000.0, "far": 2.5,
        "coverage": 0.1575, "green_ratio": 0.35, "max_height": 54.0, "parking_spaces": 10.0,
    })


# --- tables: names and values in separate items ----------------------------


def test_table_cells_pair_on_the_same_row():
    items = [
        one("容积率", x=0, y=0, handle="T1"),
        one("2.5", x=30, y=0.5, handle="T1"),  # a little off the baseline
        one("绿地率", x=0, y=-8, handle="T1"),
        one("35%", x=30, y=-8, handle="T1"),
    ]
    found, problems = parse_declared(items)
    assert problems == []
    assert found["far"] == Declared("far", 2.5, "容积率 2.5", ("T1",))
    assert found["green_ratio"].value == pytest.approx(0.35)


def test_table_takes_the_nearest_value_to_the_right():
    items = [
        one("9.9", x=-20, y=0, handle="L"),  # left of the name: never
        one("容积率", x=0, y=0, handle="N"),
        one("3.0", x=60, y=0, handle="FAR"),
        one("2.5", x=30, y=0, handle="NEAR"),
    ]
    found, problems = parse_declared(items)
    assert problems == []
    assert found["far"] == Declared("far", 2.5, "容积率 2.5", ("N", "NEAR"))


def test_table_with_number_and_unit_columns():
    # 序号 | 项目 | 单位 | 数值
    items = [
        one("1", x=0, y=0, handle="a1"), one("总用地面积", x=10, y=0, handle="a2"),
        one("㎡", x=40, y=0, handle="a3"), one("8,000", x=60, y=0, handle="a4"),
        one("2", x=0, y=-5, handle="b1"), one("绿地率", x=10, y=-5, handle="b2"),
        one("%", x=40, y=-5, handle="b3"), one("35", x=60, y=-5, handle="b4"),
        one("3", x=0, y=-10, handle="c1"), one("容积率", x=10, y=-10, handle="c2"),
        one("", x=40, y=-10, handle="c3"), one("2.5", x=60, y=-10, handle="c4"),
    ]
    found, problems = parse_declared(items)
    assert problems == []
    assert found["site_area"] == Declared("site_area", 8000.0, "总用地面积 ㎡ 8,000", ("a2", "a3", "a4"))
    assert found["green_ratio"].value == pytest.approx(0.35)
    assert found["far"].value == 2.5


def test_table_does_not_pair_across_rows():
    # The value sits one row lower: |dy| = 2 > 0.6 x 2.5 = 1.5.
    items = [one("容积率", x=0, y=0, handle="N"), one("2.5", x=30, y=-2, handle="V")]
    found, problems = parse_declared(items)
    assert found == {}
    assert problems == ["declared far: '容积率' (handle N) has no value"]


def test_row_tolerance_uses_the_larger_height():
    # |dy| = 2.9 <= 0.6 x 5.0 (the value's height), > 0.6 x 2.5.
    items = [one("容积率", x=0, y=0, height=2.5), TextItem("2.5", 30, -2.9, 5.0, "V")]
    assert values(items) == ({"far": 2.5}, [])
    items = [one("容积率", x=0, y=0, height=2.5), TextItem("2.5", 30, -3.1, 5.0, "V")]
    assert values(items)[0] == {}


def test_table_empty_value_cell_does_not_steal_the_next_column():
    # 容积率 | (empty) | 绿地率 | 35%: the name nearest to 容积率 blocks it.
    items = [
        one("容积率", x=0, y=0, handle="a"),
        one("绿地率", x=40, y=0, handle="b"),
        one("35%", x=70, y=0, handle="c"),
    ]
    found, problems = parse_declared(items)
    assert set(found) == {"green_ratio"}
    assert problems == ["declared far: '容积率' (handle a) has no value"]


def test_table_value_with_bad_unit_is_a_problem():
    items = [one("建筑高度", x=0, y=0, handle="a"), one("54㎡", x=30, y=0, handle="b")]
    found, problems = parse_declared(items)
    assert found == {}
    assert problems == ["declared max_height: '建筑高度 54㎡' (handle a, b): unit '㎡' does not fit max_height"]


def test_name_with_colon_and_cell_value():
    items = [one("容积率：", x=0, y=0), one("2.5", x=30, y=0, handle="B")]
    assert values(items) == ({"far": 2.5}, [])


def test_empty_input():
    assert parse_declared([]) == ({}, [])
