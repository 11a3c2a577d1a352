"""Markdown → HTML for generated pages without Python-Markdown, when the Markdown is plain.

A generated page's Markdown is headings, block tokens (`SLBLOCK00001`, see
pages.stash) and short prose from content/ YAML. Running it through a new
Python-Markdown instance with every configured extension cost as much per
page as the whole Material theme. When every line is plain (no character
Markdown could give a meaning to), the HTML is written here exactly as
Python-Markdown's toc extension writes it: same ids (the configured slugify,
unique suffixes), same permalinks, same toc tokens. Anything else returns
None and the page takes the normal road. tests/site/test_build.py builds the
demo both ways and compares every file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown.extensions.toc import nest_toc_tokens, unique

_HEADING = re.compile(r"^(#{1,6}) (\S.*?)\s*$")
_TOKEN = re.compile(r"^SLBLOCK\d{5}$")
# Characters Markdown (with the extensions in mkdocs.yml) can give a meaning to anywhere in a line
_SPECIAL = re.compile(r"[\\`*_\[\]<>&!{}|~#\t]|\s\s|\s$|^\s|^[-+=>]|^\d+[.)]|^:")


def plain(line: str) -> bool:
    return _SPECIAL.search(line) is None


class FastMarkdown:
    """Render the plain Markdown of a generated page as the toc extension would."""

    def __init__(self, slugify: Callable[[str, str], str], separator: str = "-", permalink: bool | str = True,
                 permalink_title: str = "Permanent link", permalink_class: str = "headerlink"):
        self.slugify, self.separator = slugify, separator
        self.permalink = "&para;" if permalink is True else permalink
        self.permalink_title, self.permalink_class = permalink_title, permalink_class

    @classmethod
    def from_config(cls, config) -> FastMarkdown | None:
        """None unless the toc extension's settings are ones this class writes the same way."""
        toc = dict((config.mdx_configs or {}).get("toc", {}))
        extensions = [e if isinstance(e, str) else "" for e in config.markdown_extensions]
        if "toc" not in extensions:
            return None
        permalink = toc.pop("permalink", False)
        known = {"slugify", "separator", "permalink_title", "permalink_class"}
        if not permalink or set(toc) - known or not isinstance(permalink, (bool, str)):
            return None
        from markdown.extensions.toc import slugify as default_slugify

        return cls(toc.get("slugify", default_slugify), toc.get("separator", "-"), permalink,
                   toc.get("permalink_title", "Permanent link"), toc.get("permalink_class", "headerlink"))

    def render(self, markdown: str) -> tuple[str, list[dict], str | None] | None:
        """(html, toc tokens, first h1 text) or None when some line is not plain."""
        out: list[str] = []
        tokens: list[dict] = []
        used: set[str] = set()
        counters: dict[str, int] = {}
        title = None
        for chunk in markdown.split("\n\n"):
            lines = chunk.strip("\n").split("\n")
            if not lines or lines == [""]:
                continue
            if len(lines) == 1 and _TOKEN.match(lines[0]):
                out.append(f"<p>{lines[0]}</p>")
                continue
            if len(lines) == 1 and (m := _HEADING.match(lines[0])):
                text = m.group(2)
                if not plain(text):
                    return None
                level = len(m.group(1))
                anchor = unique(self.slugify(text, self.separator), used, counters)
                used.add(anchor)
                if level == 1 and title is None and not out:
                    title = text
                tokens.append({"level": level, "id": anchor, "name": text, "html": text, "data-toc-label": ""})
                link = f'<a class="{self.permalink_class}" href="#{anchor}" title="{self.permalink_title}">{self.permalink}</a>'
                out.append(f'<h{level} id="{anchor}">{text}{link}</h{level}>')
                continue
            if not all(plain(x) for x in lines) or any(_HEADING.match(x) for x in lines):
                return None
            out.append("<p>" + "\n".join(lines) + "</p>")
        return "\n".join(out), nest_toc_tokens(tokens), title
