"""Pictures (and recordings): made safe and small, their hidden data removed; the map's pins; colours; sizes.

``images`` is the one image processor (metadata removed, cached by content); ``recordings``
removes tags, location and device data from welcome recordings; ``school_map``
lays out the numbered pins; ``colours`` adjusts the school's colours for contrast; ``sizes``
defines every size a picture is made at.
"""
