"""The view: one pupil joined with the school facts their pages show, as plain JSON-ready data.

``pupil_view`` builds it (``build_view``); ``sections`` names its parts as typed dicts;
``words`` gives the interface words and dates in the school's language. The site and the
booklet both read the same view, so they never disagree.
"""
