"""What every rule needs, computed once per load and shared by the plugins."""

from __future__ import annotations

import functools
import linecache
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data

from ..config import Config, find_root
from ..content.load import Content, load_content
from ..errors import FundError, error, meta
from ..ledger.accounts import Classifier, Role
from ..ledger.adopted import fold, rename_keys
from ..ledger.attribution import Attribution, attribute
from ..ledger.leftover import moves_of

Plugin = Callable[..., tuple[list, list]]


@dataclass
class Ctx:
    root: Path
    config: Config
    content: Content
    classify: Classifier
    txns: list[data.Transaction] = field(default_factory=list)
    _attributed: tuple[Attribution, list[FundError]] | None = field(default=None, repr=False)

    def attributed(self, entries: list) -> tuple[Attribution, list[FundError]]:
        """Who paid for what (with the leftover moves applied), once per load for every rule that asks,
        and the errors of reading it: adopted books' openings without a source, malformed leftover entries."""
        if self._attributed is None:
            # adopted books: from the cut-over on, each source starts from its share of the opening balance
            txns, errors = fold(self.txns, self.classify)
            moves, wrong = moves_of(entries, self.classify, self.config.currency)
            self._attributed = (attribute(txns, self.classify, self.config, moves), errors + wrong)
        return self._attributed

    def roles(self, txn: data.Transaction) -> list[tuple[data.Posting, Role | None]]:
        return [(p, self.classify(p.account)) for p in txn.postings]


_LAST: list[Any] = [None, -1, None]


def _root_from(options_map: dict[str, Any], plugin_config: str | None) -> Path | None:
    filename = options_map.get("filename") or ""
    if plugin_config and plugin_config.startswith("root="):
        base = Path(filename).parent if filename and not filename.startswith("<") else Path.cwd()
        return (base / plugin_config[5:]).resolve()
    if not filename or filename.startswith("<"):
        return find_root(Path.cwd())
    return find_root(Path(filename))


def context(entries: list, options_map: dict[str, Any], plugin_config: str | None = None) -> Ctx | None:
    if _LAST[0] is entries and _LAST[1] == len(entries):
        return _LAST[2]
    root = _root_from(options_map, plugin_config)
    ctx = None
    if root is not None:
        codes = frozenset(
            parts[1]
            for e in entries
            if isinstance(e, data.Open) and len(parts := e.account.split(":")) > 1
        )
        content = load_content(root, codes)
        ctx = Ctx(root, content.config, content, Classifier(content.config, content))
        rename_keys(entries, ctx.classify)  # adopted books' own metadata keys (fund.yml `metadata:`), for every later reader
        ctx.txns = [e for e in entries if isinstance(e, data.Transaction) and e.flag != "P"]
    _LAST[:] = [entries, len(entries), ctx]
    return ctx


def rule(check: Callable[[list, Ctx], list[FundError]]) -> Plugin:
    """Wrap a rule as a plugin: no context, no errors; a crash is one line, not a traceback."""

    @functools.wraps(check)
    def plugin(entries: list, options_map: dict[str, Any], config: str | None = None):
        try:
            ctx = context(entries, options_map, config)
            return entries, ([] if ctx is None else check(entries, ctx))
        except Exception as exc:  # a rule must never take the loader down
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return entries, [
                error(meta("<sunledger>", 0), "SL009", f"规则 {check.__module__} 内部错误：{type(exc).__name__}: {exc}（{Path(where.filename).name}:{where.lineno}）")
            ]

    return plugin


def project_of(txn: data.Transaction, posting: data.Posting) -> str | None:
    value = (posting.meta or {}).get("project") or txn.meta.get("project")
    return str(value) if value is not None else None


def at(txn: data.Transaction, posting: data.Posting) -> dict[str, Any]:
    """The posting's own line when beancount kept it, else the transaction's."""
    return where(posting if posting.meta and posting.meta.get("lineno") else txn)


def key_line(txn: data.Transaction, key: str) -> dict[str, Any]:
    """The line of the transaction's `key:` metadata (beancount keeps only the transaction's line):
    the first indented `key:` line below it, before a blank or unindented line."""
    src = where(txn)
    filename, lineno = src["filename"], src["lineno"]
    if not lineno or not Path(filename).is_file():
        return src
    linecache.checkcache(filename)
    for n in range(lineno + 1, lineno + 200):
        text = linecache.getline(filename, n)
        if not text.strip() or not text[0].isspace():
            break
        if text.strip().startswith(f"{key}:"):
            return meta(filename, n)
    return src


def where(obj: Any) -> dict[str, Any]:
    m = getattr(obj, "meta", None) or {}
    return meta(m.get("filename"), m.get("lineno"))
