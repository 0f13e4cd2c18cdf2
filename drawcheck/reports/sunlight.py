"""Terminal rendering of the ``drawcheck sunlight`` table (rich): per standard, buildings, facades, windows.

Reads only the command's JSON data (keys in README, "drawcheck sunlight");
drawing strings are shown as plain text, never as rich markup.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

_VERDICT_STYLE = {"pass": "green", "fail": "bold red", "already_below": "yellow"}
_VERDICT_NAME = {"pass": "pass", "fail": "FAIL", "already_below": "below before"}
_OUTCOME_STYLE = {"passed": "bold green", "failed": "bold red", "not_run": "yellow", "not_applicable": "dim"}


def _verdict(v: str) -> Text:
    return Text(_VERDICT_NAME.get(v, v), style=_VERDICT_STYLE.get(v, ""))


def _head(s: dict) -> Text:
    head = Text()
    head.append(f"{s['rule']}", style="bold")
    head.append(f" — {s['title']}")
    if s.get("title_en"):
        head.append(f" / {s['title_en']}")
    head.append("\n")
    head.append(s["outcome"], style=_OUTCOME_STYLE.get(s["outcome"], ""))
    if "day" in s:
        bands = ", ".join(f"{a}-{b}" for a, b in s.get("bands") or [])
        head.append(f"  {s['day']} {s['day_name']}".rstrip() + f"; {s['measure_name']} >= {s['required_minutes']} min"
                    + (f"; bands {bands} true solar time" if bands else "")
                    + (f"; slices under {s['min_slice_minutes']:g} min dropped" if s.get("min_slice_minutes") else ""))
    if s.get("reason"):
        head.append(f"\n{s['reason']}", style="yellow")
    for key in ("what_if_note", "note"):
        if s.get(key):
            head.append(f"\nnote: {s[key]}", style="yellow")
    return head


def _buildings(s: dict) -> Table:
    t = Table(title="per building", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("building", "windows", "pass", "fail", "below before", "least min", "verdict"):
        t.add_column(col, justify="left" if col in ("building", "verdict") else "right")
    for name, row in s["buildings"].items():
        t.add_row(Text(name), str(row["windows"]), str(row["passing"]), str(row["failing"]),
                  str(row["already_below"]), str(row["least_minutes"]), _verdict(row["verdict"]))
    return t


def _facades(s: dict) -> Table:
    t = Table(title="failing facades (one finding each in drawcheck check)", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("building", "facade", "floors", "failing / windows", "worst min"):
        t.add_column(col, justify="right" if col in ("failing / windows", "worst min") else "left", overflow="fold")
    for f in s["facades"]:
        if f["failing"]:
            t.add_row(Text(f["building"]), Text(f["facade_name"]), f["floors_text"], f"{f['failing']} / {f['windows']}",
                      str(f["worst_minutes"]))
    return t


def _windows(s: dict, all_windows: bool) -> tuple[Table, int]:
    t = Table(title="windows" + ("" if all_windows else " not passing") + " (minutes)", box=box.SIMPLE_HEAD,
              title_justify="left", pad_edge=False)
    for col in ("bldg", "facade", "floor", "win", "band", "sunlit", "longest", "need", "verdict"):
        t.add_column(col, justify="left" if col in ("bldg", "facade", "band", "verdict") else "right",
                     no_wrap=col != "bldg", overflow="fold")
    hidden = 0
    for w in s["windows"]:
        if not all_windows and w["verdict"] == "pass":
            hidden += 1
            continue
        t.add_row(Text(w["building"] + (" (existing)" if w["existing"] else "")), Text(w["facade_name"]), str(w["floor"]),
                  str(w["window"]), "-".join(w["band"]), str(w["sunlit_minutes"]),
                  str(w["longest_continuous_minutes"]), str(w["required_minutes"]), _verdict(w["verdict"]))
    return t, hidden


def render(data: dict, *, all_windows: bool = False) -> Group:
    """The sunlight data as rich renderables: every standard's verdicts (failing windows, or all)."""
    parts: list = [Text(f"日照 sunlight — {data['project']}", style="bold cyan")]
    if data.get("what_if"):
        w = data["what_if"]
        parts.append(Text(f"{w['day']} {'-'.join(w['band'])} for every facade: {w['note']}", style="bold yellow"))
    for s in data["standards"]:
        parts.append(Text(""))
        parts.append(_head(s))
        if "windows" not in s:
            continue
        parts.append(_buildings(s))
        if any(f["failing"] for f in s["facades"]):
            parts.append(_facades(s))
        table, hidden = _windows(s, all_windows)
        if hidden < len(s["windows"]):
            parts.append(table)
        if hidden:
            parts.append(Text(f"{hidden} of {len(s['windows'])} windows pass (--all-windows lists every window)",
                              style="dim"))
    return Group(*parts)


def to_text(data: dict, *, all_windows: bool = False, width: int = 140) -> str:
    """The rendering as plain text (for files and tests)."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(render(data, all_windows=all_windows))
    return console.export_text()
