"""Material's search cuts the Chinese of the pages it indexes with jieba, remembered.

Material's search plugin indexes the hand-written pages (the generated ones are kept out of
its index: site/search.py) and cuts each section's Han runs with jieba. Loading jieba's
dictionary costs about a second, every build, for the same few dozen sections a treasurer
rarely edits. The cut is a pure function of the text, of jieba (its version and dictionary)
and of Material's code: kept here by all of those, read back while none of them changed, and
written again with only the texts this build asked for. jieba is loaded only for a text not
kept, as Material would load it.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from .parts import Store

NAME = "search-segments"


def _file_digest(path: str | None) -> str:
    if not path:
        return ""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def search_plugin_of(config):
    """Material's search plugin of this build, if it is on and cuts Chinese (jieba is installed)."""
    try:
        from material.plugins.search import plugin as material_search
    except ImportError:
        return None
    if material_search.jieba is None:
        return None
    for plugin in config.plugins.values():
        if isinstance(plugin, material_search.SearchPlugin) and plugin.config.enabled:
            return plugin
    return None


class Segments:
    """`index._segment_chinese`, wrapped: a text cut before (under the same key) is not cut again."""

    def __init__(self, root: Path, index, plugin_config, cache: bool):
        self.store, self.cache = Store(root), cache
        self.key = "|".join([
            version("mkdocs-material"), version("jieba"),
            _file_digest(plugin_config.jieba_dict), _file_digest(plugin_config.jieba_dict_user),
        ])
        self.kept: dict[str, str] = (self.store.get(NAME, self.key, dict) or {}) if cache else {}
        self.used: dict[str, str] = {}
        self.cut = index._segment_chinese
        index._segment_chinese = self

    def __call__(self, data: str) -> str:
        out = self.kept.get(data)
        if out is None:
            out = self.cut(data)
        self.used[data] = out
        return out

    def save(self) -> None:
        """Keep what this build cut or read back (and nothing else), when it differs from what was kept."""
        if self.cache and self.used != self.kept:
            self.store.put(NAME, self.key, self.used)


def wrap(root: Path, config, cache: bool) -> Segments | None:
    plugin = search_plugin_of(config)
    if plugin is None or getattr(plugin, "search_index", None) is None:
        return None
    return Segments(root, plugin.search_index, plugin.config, cache)
