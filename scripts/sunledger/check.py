"""`sunledger check`: every problem of a district at once, as file:line.

The same plugins run inside bean-check and Fava; this adds the warnings and
content/ problems of funds without a ledger. Loading, whole or funds apart in
parallel, is `loading`'s.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .content.load import load_content
from .errors import FundWarning
from .ledger.load import fund_file, load
from .loading import Apart, Lost, whole_or_apart
from .rules import warnings

_NATIVE = {
    "ParserError": ("SL001", "账本语法错误"),
    "ParserSyntaxError": ("SL001", "账本语法错误"),
    "LexerError": ("SL001", "账本语法错误"),
    "DeprecatedError": ("SL001", "账本语法已废弃"),
    "BalanceError": ("SL002", "金额不平或余额断言不符"),
    "ValidationError": ("SL003", "账本校验错误"),
    "LoadError": ("SL004", "文件加载错误"),
    "PadError": ("SL005", "pad 错误"),
    "BookingError": ("SL006", "记账错误"),
    "InterpolationError": ("SL006", "记账错误"),
    "ReductionError": ("SL006", "记账错误"),
    "CategorizationError": ("SL006", "记账错误"),
    "SelfReduxError": ("SL006", "记账错误"),
    "AmbiguousMatchError": ("SL006", "记账错误"),
    "DocumentError": ("SL007", "凭证文件错误"),
}


@dataclass(frozen=True, order=True)
class Problem:
    filename: str
    lineno: int
    message: str
    code: str
    level: str  # "error" | "warning"

    def rel(self, root: Path) -> str:
        try:
            return str(Path(self.filename).resolve().relative_to(root))
        except (ValueError, OSError):
            return self.filename

    def line(self, root: Path) -> str:
        return f"{self.rel(root)}:{self.lineno}: {self.message}"

    def as_json(self, root: Path) -> dict[str, Any]:
        return {"file": self.rel(root), "line": self.lineno, "code": self.code, "level": self.level, "message": self.message}


def problem(err: Any) -> Problem:
    src = err.source if isinstance(err.source, dict) else {}
    message = str(err.message).strip()
    head = message.split(" ", 1)[0]
    if head.startswith(("SL", "W")) and head[-3:].isdigit():
        code = head
    else:
        code, zh = _NATIVE.get(type(err).__name__, ("SL009", "其他错误"))
        message = f"{code} {zh}：{message}"
    level = "warning" if isinstance(err, FundWarning) or code.startswith("W") else "error"
    return Problem(str(src.get("filename") or "<unknown>"), int(src.get("lineno") or 0), message, code, level)


class Checked(NamedTuple):
    problems: list[Problem]
    refused: bool  # unparsed (a size limit): the content rule inside did not read its content


def check_file(path: Path, as_of: dt.date | None = None) -> list[Problem]:
    """Load one ledger file (the plugins run inside) and add the warnings."""
    return _check(path, as_of).problems


def _check(path: Path, as_of: dt.date | None = None) -> Checked:
    entries, errors, options_map = loaded = load(path)
    return Checked([problem(e) for e in [*errors, *warnings(entries, options_map, as_of)]], loaded.refused)


def _checked(result: Checked | Lost) -> Checked:
    """A file whose check raised or whose process died is one SL009 at it, and its content unread."""
    return Checked([problem(result.error)], True) if isinstance(result, Lost) else result


def _without_ledger(root: Path) -> frozenset[str]:
    folders = (root / "content" / "funds").glob("*/")
    return frozenset(f.name for f in folders if not fund_file(root, f.name).is_file())


def check_root(root: Path, jobs: int = 1, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem of the district: its load's errors (the plugins run inside), the warnings,
    and content/ problems; funds apart in `jobs` processes when main allows it (`loading`)."""
    result = whole_or_apart(root, functools.partial(_check, as_of=as_of), jobs)
    if not isinstance(result, Apart):
        return sorted({*_checked(result).problems, *(problem(e) for e in load_content(root).errors)})
    found, unread = [problem(e) for e in result.errors], set()
    for path, fund in result.funds.items():
        checked = _checked(fund)
        found.extend(checked.problems)
        if checked.refused:
            unread.add(path.parent.name)
    # each fund's load reports its own content; here what no load read: funds without a ledger, or unread
    found.extend(problem(e) for e in load_content(root, _without_ledger(root) | unread).errors)
    return sorted(set(found))
