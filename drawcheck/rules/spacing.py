"""Shanghai building spacing (上海市城市规划管理技术规定 第二十三/二十五/二十七/二十八/三十一条)."""

from __future__ import annotations
