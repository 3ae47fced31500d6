#!/usr/bin/env python3
"""Build every pupil's transition site and booklet: ``python build.py --help``."""

from transition_booklets.cli import run

if __name__ == "__main__":
    run()
