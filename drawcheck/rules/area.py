"""Area rules of GB/T 50353-2013 (storeys under 2.20 m count half)."""

from __future__ import annotations
