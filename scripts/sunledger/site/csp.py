"""The Content-Security-Policy of every page: defence in depth behind site/text.py.

Should some text ever reach a page as markup, the browser still runs nothing
of it: scripts only from the site's own files and the few inline scripts
Material's templates write (allowed by their SHA-256, computed at build time
from those templates as they render for the page), no inline event handlers,
no `javascript:` URLs, no plugins, images from the site and `data:` only.

overrides/main.html writes the policy as a `<meta http-equiv>` at the top of
`<head>`, before any script, on every page (generated, hand-written, 404).
A `<meta>` policy cannot say `frame-ancestors` or `report-uri`; a web server
that sends the same policy as a header can add them.

Styles: Material sets its moving parts (header shadow, tooltips, the search
overlay) through the CSSOM (`el.style.top = …`), which a policy does not
govern, and the site writes no `style` attribute and no `<style>` element, so
`style-src 'self'` holds without 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import hashlib
import re

# Material's templates with inline scripts, each included where its feature is on (base.html).
MATERIAL_INLINE = (
    "partials/javascripts/base.html",
    "partials/javascripts/content.html",
    "partials/javascripts/announce.html",
    "partials/javascripts/outdated.html",
    "partials/javascripts/palette.html",
    "partials/javascripts/consent.html",
)

DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),  # + the hashes of Material's inline scripts
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),  # the search index
    ("worker-src", "'self'"),  # Material's search runs in a worker loaded from the site
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)

_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript"}
_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def inline_scripts(html: str) -> list[str]:
    """The text of every `<script>` the browser would run inline (no src, a JavaScript type)."""
    out = []
    for m in _SCRIPT.finditer(html):
        attrs = m.group("attrs")
        kind = _TYPE.search(attrs)
        if _SRC.search(attrs) or (kind and kind.group(1).lower() not in _JS_TYPES):
            continue  # a file of the site, or data (Material's __config JSON)
        out.append(m.group("body"))
    return out


def digest(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(material_scripts: str) -> str:
    """The policy for a page whose only inline scripts are those in `material_scripts` (rendered templates)."""
    hashes = sorted(dict.fromkeys(digest(s) for s in inline_scripts(material_scripts)))
    parts = [f"{name} {value}" + ("".join(" " + h for h in hashes) if name == "script-src" else "")
             for name, value in DIRECTIVES]
    return "; ".join(parts)


def of_page(html: str) -> str | None:
    """The policy a written page carries, if any."""
    m = _META.search(html)
    return m.group(1) if m else None


def refused(html: str) -> list[str]:
    """Inline scripts of a written page that its own policy does not allow (the start of each)."""
    allowed = of_page(html) or ""
    return [s.strip()[:60] for s in inline_scripts(html) if digest(s) not in allowed]
