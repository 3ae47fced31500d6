"""``python -m transition_booklets``: the same command as ``transition-booklets``."""

from transition_booklets.cli import run

run()
