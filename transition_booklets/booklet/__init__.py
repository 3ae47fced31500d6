"""The printable booklet: an A5 reading copy typeset by Typst, and the A4 print copy.

``typeset`` turns the view into Typst's data (a JSON file, never markup) and makes the PDF;
``imposition`` puts its pages two-up for a folded, stapled booklet.
"""
