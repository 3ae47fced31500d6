"""Pictures: photos made safe, small and upright; placeholders; the map's pins; colours; sizes.

``images`` is the one image processor (metadata removed, cached by content); ``school_map``
lays out the numbered pins; ``colours`` adjusts the school's colours for contrast; ``sizes``
defines every size a picture is made at.
"""
