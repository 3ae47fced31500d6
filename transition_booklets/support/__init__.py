"""What every stage uses: the tool's own files, safe writing, templates, worker processes.

``resources`` finds templates, theme, fonts and schemas; ``files`` writes files whole or not at
all; ``templating`` sets up Jinja; ``parallel`` starts worker processes; ``icons`` reads Material's
icon set; ``ics`` writes calendar files.
"""
