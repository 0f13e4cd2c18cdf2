"""``python -m drawcheck``."""

from .cli import main

main()
