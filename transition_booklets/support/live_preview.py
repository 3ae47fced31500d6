"""A preview page that reloads itself after each rebuild and shows what stopped the last one.

Both local previews use it (``serve`` and the editor's): each built page gets a small script
(``/__tb/reload.js``) that asks the server every second which build it is on (``/__tb/build``)
and reloads when that changes. For that, and only in a preview, the page's policy lets it ask
its own server (``connect-src 'self'``); a published page can ask nothing.
"""

from __future__ import annotations

import html
import re

RELOAD_SCRIPT = """(function () {
  var seen = null;
  function ask() {
    fetch("/__tb/build", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.build !== seen) location.reload();
      seen = state.build;
    }).catch(function () { /* the preview stopped: nothing to do */ });
  }
  ask();
  setInterval(ask, 1000);
})();
"""


def previewed(page: str, problems: list[str]) -> str:
    """A built page as the preview serves it: reloading itself after each rebuild, the last build's problems on top."""
    page = page.replace("connect-src 'none'", "connect-src 'self'", 1)
    page = page.replace("</body>", '<script src="/__tb/reload.js"></script></body>', 1)
    if problems:
        items = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
        banner = (
            '<div role="alert" style="background:#a4001d;color:#fff;padding:1rem;font:16px/1.4 system-ui,sans-serif">'
            f"<strong>The last change could not be built; this is the page from before it.</strong><ul>{items}</ul></div>"
        )
        page = re.sub(r"(<body[^>]*>)", lambda match: match.group(1) + banner, page, count=1)
    return page
