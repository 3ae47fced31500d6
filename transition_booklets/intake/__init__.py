"""Import: the school's own records turned into the same YAML files a person writes.

``spreadsheets`` reads the CSV or XLSX a records system exports; ``yaml_files`` changes YAML
files in place keeping every comment and the order of keys; ``pupils`` creates and updates
pupil files from a pupil list; ``timetables`` writes the groups' timetables in ``groups.yaml``.
Nothing here keeps what the guides do not need (dates of birth, UPNs, pupils' addresses).
"""
