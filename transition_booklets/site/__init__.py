"""The mini-site: eight pages rendered from ``site_src/`` and laid out by MkDocs with Material.

``pages`` renders a pupil's pages with Jinja (our own templates); ``engine`` is the one adapter to
MkDocs and Material, which only lay the pages out; ``calendar`` writes the family's calendar file.
"""
