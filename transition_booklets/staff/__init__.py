"""The staff-only outputs: readiness against the guidance, warnings, and the cohort report.

``readiness`` measures each plan against the guidance; ``advice`` finds what a pupil or a parent
would notice though nothing is broken; ``report`` writes the staff page and the cohort calendar.
"""
