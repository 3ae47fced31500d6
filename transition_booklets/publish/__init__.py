"""Publishing: the only code that writes into the published output folder.

``folders`` builds each pupil in a staging folder, applies protection there, swaps it in whole
and removes what a pupil no longer has; ``archive`` writes the zip beside each folder.
"""
