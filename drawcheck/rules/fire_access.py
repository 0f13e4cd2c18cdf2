"""Fire-service access: fire lanes (GB 50016 7.1.8) and rescue sites (7.2.2)."""

from __future__ import annotations
