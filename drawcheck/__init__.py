"""drawcheck: drawing-based permit review (带图审批).

Readers turn DXF/IFC submissions into a format-neutral project model, the
geometry core recomputes the planning indicators, rule packs check them, and
every output is rendered from one JSON report.
"""

__version__ = "0.1.0"
