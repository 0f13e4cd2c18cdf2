"""What every refused command must look like: exit 2, nothing on stdout, one ``drawcheck:`` line."""

from __future__ import annotations

import subprocess


def refused(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    """Assert the promise for ``proc`` (run in text or bytes mode) and that its line holds every fragment."""
    out, err = proc.stdout, proc.stderr
    if isinstance(err, bytes):
        out, err = out.decode("utf-8"), err.decode("utf-8")
    assert proc.returncode == 2, (proc.returncode, err)
    assert out == "" and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
