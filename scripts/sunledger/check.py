"""`sunledger check`: every problem of a district at once, as file:line.

The same plugins run inside bean-check and Fava; this adds the warnings,
content/ problems of funds without a ledger, and loads funds in parallel.
"""

from __future__ import annotations

import datetime as dt
import importlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import parser

from .content.load import load_content
from .errors import FundWarning
from .ledger.load import biggest_first, fund_files, load
from .rules import RULES, WARNINGS_ONLY
from .rules.options import reads_differently

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


def _warnings(entries: list, options_map: dict, as_of: dt.date | None = None) -> list:
    out = []
    for name in (*RULES, *WARNINGS_ONLY):
        module = importlib.import_module(f"sunledger.rules.{name}")
        if hasattr(module, "warnings"):
            out.extend(module.warnings(entries, options_map, as_of=as_of))
    return out


def check_file(path: Path, as_of: dt.date | None = None) -> list[Problem]:
    """Load one ledger file (the plugins run inside) and add the warnings."""
    entries, errors, options_map = load(path)
    return [problem(e) for e in [*errors, *_warnings(entries, options_map, as_of)]]


def _only_annotations(path: Path) -> tuple[bool, list[Problem]]:
    """A file with nothing a rule looks at (queries, Fava options), and its syntax errors."""
    entries, errors, _ = parser.parse_file(str(path))
    return not errors and all(isinstance(e, (data.Custom, data.Query)) for e in entries), [problem(e) for e in errors]


def _parallel_ok(main: Path, funds: list[Path]) -> tuple[bool, list[Problem]]:
    """Funds may be checked apart only if main holds nothing but them (and annotations)."""
    ok, own = _only_annotations(main)
    if not ok:
        return False, own
    _, _, options_map = parser.parse_file(str(main))
    included = set()
    for pattern in options_map["include"]:
        included.update(p.resolve() for p in main.parent.glob(pattern))
    fund_set = {f.resolve() for f in funds}
    if any(reads_differently(main, fund) for fund in funds):  # apart, a fund's own options would count (SL011)
        return False, own
    for other in included - fund_set:
        other_ok, other_errors = _only_annotations(other)
        own.extend(other_errors)
        if not other_ok:
            return False, own
    return fund_set <= included, own


def _without_ledger(root: Path) -> frozenset[str]:
    folders = (root / "content" / "funds").glob("*/")
    return frozenset(f.name for f in folders if not (root / "ledger" / "funds" / f.name / "fund.beancount").is_file())


def check_root(root: Path, jobs: int = 1, as_of: dt.date | None = None) -> list[Problem]:
    main = root / "ledger" / "main.beancount"
    funds = fund_files(root)
    found: list[Problem] = []
    ok = False
    if jobs > 1 and len(funds) > 1:
        ok, own = _parallel_ok(main, funds)
        if ok:
            found.extend(own)
            order = biggest_first(funds)
            with ProcessPoolExecutor(max_workers=min(jobs, len(funds))) as pool:
                results = pool.map(check_file, order, [as_of] * len(order))
                # each fund's worker reports its own content; here only what no ledger loads
                found.extend(problem(e) for e in load_content(root, _without_ledger(root)).errors)
                for result in results:
                    found.extend(result)
    if not ok:
        found.extend(check_file(main, as_of))
        found.extend(problem(e) for e in load_content(root).errors)
    return sorted(set(found))
