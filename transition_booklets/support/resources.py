"""Where the tool's own files are: templates, strings, theme, fonts, schemas and ``mkdocs.yml``.

Every module finds them through this one locator. In a checkout (and an editable install)
they are the top-level folders beside the package (``site_src/``, ``theme/``, ``schema/``,
``mkdocs.yml``, the example school ``pupils/``); a wheel carries copies of them inside the
package, under ``transition_booklets/resources/`` (``setup.py`` puts them there), and the
locator uses those when there is no checkout.

:func:`tool_digest` hashes everything of the tool's own that shapes the output, so a
build after an upgrade or a template edit rebuilds every pupil.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from transition_booklets import __version__

PACKAGE = Path(__file__).resolve().parent.parent
_CHECKOUT = PACKAGE.parent
_BUNDLED = PACKAGE / "resources"


def _in_checkout() -> bool:
    return (_CHECKOUT / "site_src").is_dir() and (_CHECKOUT / "mkdocs.yml").is_file()


#: The folder holding ``site_src/``, ``theme/``, ``schema/`` and ``mkdocs.yml``.
ROOT = _CHECKOUT if _in_checkout() else _BUNDLED
SITE_SRC = ROOT / "site_src"
"""Page templates (``pages/``), the strings files (``strings/``), the staff report and the protected-site pages."""
PAGES = SITE_SRC / "pages"
STRINGS = SITE_SRC / "strings"
STAFF_TEMPLATES = SITE_SRC / "staff"
PROTECT_TEMPLATES = SITE_SRC / "protect"
STARTER = SITE_SRC / "starter"
"""What ``init`` writes into a new data folder: the commented ``school.yaml`` and START-HERE.md."""
THEME = ROOT / "theme"
SITE_THEME = THEME / "site"
"""Material's ``custom_dir``: the overrides of the site's layout, its stylesheet and script."""
BOOKLET_TEMPLATE = THEME / "booklet" / "booklet.typ"
FONTS = THEME / "assets" / "fonts"
SCHEMAS = ROOT / "schema"
MKDOCS_YML = ROOT / "mkdocs.yml"
EXAMPLE = ROOT / "pupils" if ROOT == _CHECKOUT else _BUNDLED / "example"
"""The example school (Riverside Academy), which ``init --example`` copies."""

#: What of the tool shapes a build's output: its code and everything above.
TOOL_PARTS = (PACKAGE, SITE_SRC, THEME, MKDOCS_YML)


@functools.lru_cache(maxsize=1)
def tool_digest() -> str:
    """A hash of everything of the tool's own that shapes the output (code, templates, theme, versions)."""
    digest = hashlib.sha256(__version__.encode())
    for part in TOOL_PARTS:
        paths = sorted(part.rglob("*")) if part.is_dir() else [part]
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{part.name}/{path.relative_to(part).as_posix()}".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    try:
        import material
        import mkdocs

        digest.update(f"mkdocs {mkdocs.__version__} material {material.__version__}".encode())
    except (ImportError, AttributeError):
        pass
    return digest.hexdigest()
