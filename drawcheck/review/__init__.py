"""Review round-trip: reports -> reports.

After ``drawcheck check`` has written a report, reviewers of each department
decide on its findings (:mod:`.decisions`), the applicant gets one
consolidated notice (:mod:`.notice`), and the next round's report is compared
with this one (:mod:`.diff`). Everything here reads report JSON; nothing
recomputes geometry or re-runs rules (except :func:`.diff.load_or_check`,
which checks a submission given instead of a report).
"""

from __future__ import annotations

import json
from pathlib import Path

REPORT_SCHEMA = "drawcheck/report@1"


class ReviewError(ValueError):
    """A review input is unusable or a command was misused; the message is one line for the user."""


def load_report(path: Path | str) -> dict:
    """Read a ``drawcheck/report@1`` JSON file.

    Raises :class:`ReviewError` when the file is missing, is not JSON, or is
    not a drawcheck report.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewError(f"{path}: not a readable JSON report ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("schema") != REPORT_SCHEMA:
        raise ReviewError(f"{path}: not a drawcheck report (schema {REPORT_SCHEMA} expected)")
    return data


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as sorted, indented UTF-8 JSON, replacing ``path`` atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
