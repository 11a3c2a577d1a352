"""SL701–SL704, SL803/SL804 and private data (SL501–SL503) in `content/`: the YAML facts, with their lines,
reported through the ledger so bean-check and Fava show them too; and the
ledger's own files: a missing include (SL004) and a file or line over the
size limits (SL010) at their lines (see ledger/includes.py). In bean-check and
Fava beancount has parsed such a file already, in time we cannot bound."""

from __future__ import annotations

import os

from ..errors import error, meta
from ..ledger import includes
from ..ledger.load import LOADING
from .context import context


def content(entries: list, options_map: dict, config: str | None = None):
    try:
        ctx = context(entries, options_map, config)
        if ctx is None:
            start = options_map.get("filename") or "."
            return entries, [error(meta(start, 0), "SL004", "找不到 sunledger.yml：请在账本所在目录或其上级放置区级配置文件")]
        # Listing content/ among the inputs makes beancount's pickle cache and
        # Fava's reload notice a changed budget or partner, not only ledger edits.
        included = options_map.setdefault("include", [])
        known = set(included)
        included.extend(f for f in ctx.content.files if f not in known)
        top = os.path.normpath(options_map.get("filename") or "<string>")
        own = [] if top.startswith("<") or top in LOADING else includes.scan(top, ctx.config.limits).errors
        return entries, [*ctx.content.errors, *own]
    except Exception as exc:  # never a traceback from a rule
        return entries, [error(meta("<sunledger>", 0), "SL009", f"规则 content 内部错误：{type(exc).__name__}: {exc}")]


__plugins__ = ("content",)
