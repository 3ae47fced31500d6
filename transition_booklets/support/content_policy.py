"""The Content-Security-Policy every page of a guide carries, in a ``<meta>`` element.

A guide is opened from a folder (``file://``) as often as from a web host, and a host may
send no headers at all, so the policy travels inside each page. It says what the page may
load and run, and nothing else:

* scripts from the guide's own folder and, inline, only those whose SHA-256 hash it lists
  (the theme's small start-up scripts, the reading-preferences script, the unlock script of
  a protected page); an injected ``<script>`` or ``onerror=`` runs nowhere;
* pictures, sound and fonts from the guide's own folder, plus ``data:`` pictures and sound
  (a protected page carries its photos and recording inside itself);
* no network requests at all (``connect-src 'none'``), no frames, no plug-ins, no ``<base>``,
  and no form that sends anything anywhere (``form-action 'none'``: the password form of a
  protected page is read by its script and never submitted).

Inline styles stay allowed: the pages set a pin's place on the map and a subject's colour in
``style`` attributes, and a style can send nothing anywhere while pictures and fonts may only
come from the guide itself. ``frame-ancestors`` cannot be set from a page; a host can send it
as a header (see ``docs/privacy.md``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_CHARSET = re.compile(r"<meta\s+charset\s*=\s*[\"']?utf-8[\"']?\s*/?>", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
POLICY_MARK = 'http-equiv="Content-Security-Policy"'
# Script types a browser runs; anything else (application/json, application/octet-stream) is data.
_RUNNABLE = {"", "text/javascript", "application/javascript", "module"}


def script_hash(body: str) -> str:
    """The CSP source for an inline script whose text is exactly ``body``."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_script_hashes(page_html: str) -> list[str]:
    """The hash source of every inline script a browser would run in ``page_html``, in order, once each."""
    found: list[str] = []
    for match in _SCRIPT.finditer(page_html):
        attrs = match.group("attrs")
        if _SRC.search(attrs):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") not in _RUNNABLE:
            continue
        source = script_hash(match.group("body"))
        if source not in found:
            found.append(source)
    return found


def policy(script_hashes: Iterable[str] = (), *, form_action: str = "'none'") -> str:
    """The policy text for a page whose inline scripts have ``script_hashes``; ``form_action``: where its forms
    may send (nowhere for a guide; the editor's own address for the editor's forms)."""
    scripts = " ".join(["'self'", *sorted(set(script_hashes))])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "media-src 'self' data:",
            "font-src 'self'",
            "connect-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            f"form-action {form_action}",
        ]
    )


def with_content_policy(page_html: str, *, also_allow: Iterable[str] = (), form_action: str = "'none'") -> str:
    """``page_html`` with its policy as the first element after ``<meta charset>`` (or ``<head>``).

    ``also_allow`` adds inline-script hashes of other pages this one may become: a protected
    page is replaced by its opened page in the same document, where both policies apply.
    A page that has a policy already is returned as it is.
    """
    if POLICY_MARK in page_html[:4096]:
        return page_html
    text = policy([*inline_script_hashes(page_html), *also_allow], form_action=form_action)
    meta = f'<meta {POLICY_MARK} content="{text}">'
    anchor = _CHARSET.search(page_html, 0, 4096) or _HEAD.search(page_html, 0, 4096)
    if anchor is None:
        raise ValueError("this page has no <head>, so it cannot carry a content policy")
    return f"{page_html[: anchor.end()]}\n  {meta}{page_html[anchor.end() :]}"
