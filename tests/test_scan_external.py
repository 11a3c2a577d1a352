"""The output scan finds a page's first fetch from another site exactly as one pattern over the whole page would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sunledger.site.scan import _external

# The straightforward scan: one case-insensitive pattern of the three kinds, then <link> tags.
WHOLE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//"
    r"|url\([\"']?(?:https?:)?//",
    re.I,
)
LINK, HREF = re.compile(r"<link\b[^>]*>", re.I), re.compile(r"\bhref=[\"']?(?:https?:)?//", re.I)
HARMLESS = re.compile(r"\brel=[\"']?(?:canonical|alternate|author|license|me)\b", re.I)


def whole_page(text: str) -> str | None:
    if m := WHOLE.search(text):
        return m.group(0)
    return next((t for t in LINK.findall(text) if HREF.search(t) and not HARMLESS.search(t)), None)


pieces = st.sampled_from(["<img ", "<IMG ", "<script ", "src=", "SRC=", "ſrc=", "url(", "URL(", "uRl(", "@import", "@İmport",
                          "@ımport", "@IMPORT", " ", "\t", "\n", "\u3000", '"', "'", "http:", "https:", "HTTPS:", "httpſ:",
                          "//", "/", "x", "<", ">", "(", ")", "<link ", 'href="//', 'rel="me" ', "<style>", "@", "mport",
                          "rl(", "new URL(\".\",location)", "a"])


@settings(max_examples=4000, deadline=None)
@given(st.lists(pieces, max_size=14).map("".join))
def test_the_first_fetch_from_elsewhere_is_the_whole_page_patterns_first(text):
    assert _external(text) == whole_page(text)


def test_each_kind_of_fetch_is_found_where_it_is():
    page = '<script>__md_scope=new URL(".",location)</script><style>p{color:red}</style>'
    assert _external(page) is None
    assert _external(page + '<style>@import   "https://cdn.example/x.css";</style>') == '@import   "https://'
    assert _external(page + "<div style=\"background:URL('//cdn.example/a.png')\">") == "URL('//"
    assert _external('<p>x</p><IMG alt="" SRC=//cdn.example/a.png> url(//b)') == "<IMG alt=\"\" SRC=//"
