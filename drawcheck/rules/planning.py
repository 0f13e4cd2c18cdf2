"""Planning checks beyond the plot conditions: red lines, roads, frontage, storey-class height caps."""

from __future__ import annotations
