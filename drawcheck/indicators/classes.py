"""Building classes from use and height: fire class (GB 50016), height class (planning), podium.

References
----------
GB 50016-2014 (2018年版) 2.1.1 and 5.1.1 (secondary source): residential
high-rise above 27 m, class 一类 above 54 m; other civil buildings high-rise
above 24 m, 一类 above 50 m. The 5.1.1 special cases (storeys over 1000 m² of
shops above 24 m, hospitals, important public buildings) need data a site
plan does not carry and are not applied.
上海市城市规划管理技术规定 附录二: 低层 <= 10 m, 多层 10-24 m, 高层 > 24 m;
GB 50352-2019 3.1.2: above 100 m super-high-rise.
"""

from __future__ import annotations

#: Height above which a residential building is high-rise (GB 50016 2.1.1), m.
RESIDENTIAL_HIGH_RISE = 27.0
#: Height above which a residential building is class 一类 (GB 50016 5.1.1), m.
RESIDENTIAL_CLASS_1 = 54.0
#: Height above which another civil building is high-rise (GB 50016 2.1.1), m.
PUBLIC_HIGH_RISE = 24.0
#: Height above which another civil building is class 一类 (GB 50016 5.1.1), m.
PUBLIC_CLASS_1 = 50.0
#: Highest part that counts as podium (裙房) beside a high-rise part (GB 50016 2.1.2), m.
PODIUM_MAX = 24.0
#: Planning height classes (Shanghai 技术规定 附录二; GB 50352 3.1.2 for super-high), upper bounds in m.
HEIGHT_CLASSES = (("low", 10.0), ("multi", 24.0), ("high", 100.0))


def fire_class(use: str, height: float) -> str:
    """GB 50016 5.1.1 class of a civil building: ``high-rise-1``, ``high-rise-2`` or ``low-multi``."""
    if use == "residential":
        if height > RESIDENTIAL_CLASS_1:
            return "high-rise-1"
        return "high-rise-2" if height > RESIDENTIAL_HIGH_RISE else "low-multi"
    if height > PUBLIC_CLASS_1:
        return "high-rise-1"
    return "high-rise-2" if height > PUBLIC_HIGH_RISE else "low-multi"


def is_high_rise(use: str, height: float) -> bool:
    """High-rise per GB 50016 2.1.1 (residential > 27 m, other civil > 24 m)."""
    return fire_class(use, height) != "low-multi"


def height_class(height: float) -> str:
    """Planning height class: ``low``, ``multi``, ``high`` or ``super-high``."""
    for name, upper in HEIGHT_CLASSES:
        if height <= upper:
            return name
    return "super-high"
