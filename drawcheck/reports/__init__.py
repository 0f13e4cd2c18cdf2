"""Renderings of the JSON report (report -> files); each reads the report only, never recomputes."""


class NothingToRender(ValueError):
    """A format that has nothing to say for this report (BCF for a submission without IFC input).

    The message is one line saying why; the command line prints it and writes no file for that
    format, and the check's own exit code stands."""
