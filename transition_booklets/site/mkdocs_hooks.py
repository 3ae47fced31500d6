"""MkDocs hooks: what every page of a guide gets, whichever way MkDocs lays it out.

Both ways of laying out a pupil's docs folder load this file as MkDocs hooks: the fast
:class:`~transition_booklets.site.engine.SiteEngine`, and plain ``mkdocs build`` on the
``mkdocs.yml`` written beside a docs folder (``site.pages.write_docs``). So a page's title is
escaped, and its Content-Security-Policy added, the same way in both.
"""

from __future__ import annotations

import html
from typing import Any

from markupsafe import Markup

from transition_booklets.support.content_policy import with_content_policy


def escape_page_title(page: Any) -> None:
    """Material prints a page's ``title`` (from its front matter) without escaping: escape it once."""
    title = page.meta.get("title")
    if isinstance(title, str) and not isinstance(title, Markup):
        page.meta["title"] = Markup(html.escape(title, quote=False))


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    escape_page_title(page)
    return markdown


def on_post_page(output: str, **_: Any) -> str:
    return with_content_policy(output)


def on_post_template(output_content: str, template_name: str, **_: Any) -> str:
    """A theme page plain ``mkdocs build`` adds (``404.html``) gets the policy too; the sitemap is not a page."""
    return with_content_policy(output_content) if template_name.endswith(".html") else output_content
