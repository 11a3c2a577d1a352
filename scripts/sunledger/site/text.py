"""Text from content, ledgers and statements, escaped for where it lands on the site.

Every name, title and sentence on the site comes from YAML, a ledger or a statement: plain text,
never markup. Jinja escapes it for HTML; what it lands in needs more:
  - an HTML block of a template (most text): one line, so it cannot end the block early and
    leave the rest to Markdown (`stash` splits on blank lines) -> `html_text`, the env's finalize;
  - a Markdown heading (`# {{ p.title|md_text }}`): no character Markdown gives a meaning to
    (links, emphasis, attr_list's `{: onclick=… }`) -> `md_inline`;
  - a description of several paragraphs: HTML paragraphs, not Markdown -> `paragraphs`;
  - Material's `<title>`, header and nav, which print `page.title` as it is -> `front_matter`;
  - the search index, whose titles and texts Material shows as HTML -> site/search.py.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Markdown (with mkdocs.yml's extensions) gives these a meaning inside a line; as numeric
# references they are only characters. `<`, `>`, `&`, quotes: HTML escaping already.
_MD_INLINE = {c: f"&#{ord(c)};" for c in "\\`*_{}[]!|~#"}


def html_text(value: str) -> Markup:
    """Escaped text on one line: newlines as references (the same white space in HTML).

    The block token of `stash` is spelled with a reference too, so no text can pose as one.
    """
    text = escape(value)
    if "\n" not in text and "\r" not in text and "SLBLOCK" not in text:  # nearly every value: as escaped
        return text
    spelled = str(text).replace("\r", "&#13;").replace("\n", "&#10;")
    return Markup(spelled.replace("SLBLOCK", "SL&#66;LOCK"))  # noqa: S704 - escaped above


def md_inline(value: str) -> Markup:
    """Text for one line of Markdown (`# {{ p.title|md_text }}`) that Python-Markdown leaves as this text."""
    line = "".join(_MD_INLINE.get(c) or str(escape(c)) for c in " ".join(str(value).split()))
    return Markup(line.replace("SLBLOCK", "SL&#66;LOCK"))  # noqa: S704 - each character escaped above


def paragraphs(value: str) -> Markup:
    """Plain text as HTML paragraphs (blank lines part them), one block for `stash`."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", str(value))]
    return Markup("".join(f'<p class="sl-text">{html_text(p)}</p>' for p in parts if p))  # noqa: S704 - html_text escapes
