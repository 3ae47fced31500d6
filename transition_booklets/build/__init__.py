"""The build of a cohort: what to build, worker processes, fingerprints, and the order of the stages.

``settings`` validates a build's options once; ``fingerprint`` says whether a pupil changed;
``pipeline`` runs the stages for every pupil that needs it and writes the staff report.
"""
