"""The ``edit`` command: pupils' plans as forms in the browser, written back into the same YAML files.

``forms`` makes a form from the pupil schema; ``saving`` writes changed values into a file,
keeping everything else a person wrote; ``server`` is the local, token-guarded web server.
"""
