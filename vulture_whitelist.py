"""Names vulture (dead-code finder) cannot see being used: called by a framework, or public API the tests use.

Run: ``vulture transition_booklets vulture_whitelist.py --min-confidence 60`` (a test does).
"""

# ruff: noqa
# data/models.py and view/sections.py are not scanned (see [tool.vulture] in pyproject.toml): their
# fields are read by name, by pydantic, the templates and ``model_dump()``.
_.model_config
# The loader sets the school's theme (a pydantic private attribute, read through School.theme).
_._theme
_._groups
# fontTools reads it when it saves a font: None means plain TrueType, not WOFF2.
_.flavor
# Cache keys: the argument is there so that a changed file is a new key.
mtime_ns

# pikepdf: PDF dictionary entries set as attributes.
_.Type
_.Subtype
_.Resources
_.Contents
_.ViewerPreferences
_.Lang
# Jinja and MkDocs read these attributes.
_.bytecode_cache
_.auto_reload
_.content_string
_.toc
# PyYAML reads the resolver table; Pillow reads its limit.
_.yaml_implicit_resolvers
_.preserve_quotes  # ruamel.yaml reads it
_.MAX_IMAGE_PIXELS
# html.parser and http.server call these.
_.handle_starttag
_.handle_data
_.handle_endtag
_.log_message
# Counters read by tests and benchmarks; a dataclass field kept for the record of a source.
_.processed
_.reused
_.media_type
_.stored_size
# Public helpers the tests use to check what the product does.
from transition_booklets.protect.encrypt import decrypt_file, decrypt_page  # decrypt as unlock.js does
from transition_booklets.site.mkdocs_hooks import on_page_markdown, on_post_page, on_post_template  # MkDocs calls
from transition_booklets.protect.passwords import passphrase_entropy_bits  # the strength the docs state
from transition_booklets.staff.report import cohort_calendar, outcomes_from_result, render_readiness_section
from transition_booklets.build.settings import in_shard
from transition_booklets.booklet.typeset import PURPOSES

decrypt_page
decrypt_file
on_page_markdown
on_post_page
on_post_template
passphrase_entropy_bits
cohort_calendar
outcomes_from_result
render_readiness_section
in_shard
PURPOSES
# The editor: http.server calls do_* and reads server_version; its page template reads the form's parts.
_.do_GET
_.do_POST
_.do_OPTIONS
_.server_version
_.in_file_only
_.help
_.item_list
_.keyed
# The timetable grid's template reads each column's and cell's parts.
_.from_groups
_.mode_name
_.earlier_days
