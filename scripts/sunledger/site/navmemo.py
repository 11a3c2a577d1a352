"""Material's primary nav of a page out of the nav, drawn once for all pages that spell its links alike.

Nine pages in ten of a district's site (a fund's notices, projects, years...)
are out of the nav. Their primary nav marks no item active, so it differs from
one such page to the next only in how its relative links are spelled, and
those are mkdocs' `get_relative_url(target, page.url)`. For a target that
shares no first path segment with the page, that is the way up to the root
(the page's `base_url`) and the target; sharing the first segment and not the
second, the way up one level less and the rest. Only targets that share the
page's first two segments are spelled some other way. So the key of a page is
its way up, its first segment, and the exact spelling of the few targets under
its first two segments (and which two): two pages with one key get the same bytes, by
construction. Every address the nav templates pass through `url` is a target:
each item of the nav, the home page, the logo (tests/site/test_build.py builds
with the memo and without it and compares every file).

`overrides/partials/nav.html` asks for the key (`sl_nav_key`), and for a page
in the nav, or a theme that overrides that partial itself, draws Material's as it is.
"""

from __future__ import annotations

from markupsafe import Markup
from mkdocs.structure.nav import Navigation, Section
from mkdocs.utils import get_relative_url


def _targets(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, Section):
            out += _targets(item.children)
        elif getattr(item, "url", None) is not None:
            out.append(str(item.url))
    return out


def _relative(path: str) -> bool:
    return "://" not in path and not path.startswith(("/", "#", "mailto:", "data:"))


def _segments(url: str) -> tuple[str, str]:
    parts = url.split("/")
    return parts[0], parts[1] if len(parts) > 1 else ""


class NavMemo:
    def __init__(self, nav: Navigation, config) -> None:
        extra = [nav.homepage.url if nav.homepage else None, (config.extra or {}).get("homepage"), config.theme.get("logo")]  # what nav.html and logo.html pass through `url`
        targets = [t for t in [*_targets(nav.items), *(str(x) for x in extra if x)] if _relative(t)]
        self.near: dict[tuple[str, str], list[str]] = {}
        for t in dict.fromkeys(targets):
            self.near.setdefault(_segments(t), []).append(t)
        self.in_nav = {p.file.src_uri for p in nav.pages if p.file is not None}
        self.drawn: dict[tuple, Markup] = {}

    def key(self, page) -> tuple | None:
        if page is None or page.file.src_uri in self.in_nav:
            return None
        url = page.url
        first, second = _segments(url)
        near = self.near.get((first, second), ())  # which targets these are: the second segment says
        return (get_relative_url(".", url), first, second if near else None, tuple(get_relative_url(t, url) for t in near))

    def get(self, key: tuple) -> Markup | None:
        return self.drawn.get(key)

    def put(self, key: tuple, html: str) -> Markup:
        self.drawn[key] = Markup(html)  # noqa: S704 - Material's own template, drawn for a page with this key
        return self.drawn[key]
