"""drawcheck: drawing-based permit review (带图审批).

Readers turn DXF submissions into a format-neutral project model, the
geometry core recomputes the planning indicators, rule packs check them, and
every output is rendered from one JSON report::

    import drawcheck
    report = drawcheck.check("samples/residential")
    report.data["indicators"]["far"]["value"]
"""

__version__ = "0.1.0"

__all__ = ["check", "__version__"]


def __getattr__(name: str):
    # Import lazily: `drawcheck --help` must not pay for ezdxf, shapely and numba.
    if name == "check":
        from .pipeline import check

        return check
    raise AttributeError(name)
