"""Geometry core: flat polygon arrays with exact arcs (``arrays``), arc
maths (``arcs``) and the numba kernels over them (``kernels``): areas,
densification, bounds, point location and polygon distances."""
