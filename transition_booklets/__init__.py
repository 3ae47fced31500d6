"""Personalised transition mini-sites and printable booklets for pupils joining or returning to a school."""

from __future__ import annotations

__version__ = "0.1.0"
