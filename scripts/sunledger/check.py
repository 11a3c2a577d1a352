"""`sunledger check`: every problem of a district at once, as file:line.

The same plugins run inside bean-check and Fava; this adds the warnings,
content/ problems of funds without a ledger, and loads funds in parallel.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import os
from pathlib import Path

from beancount.core import data
from beancount.parser import parser

from .content.load import load_content
from .errors import Problem, problem, said
from .ledger import includes
from .ledger.load import Lost, apart, biggest_first, fund_files, limits_of, load
from .rules import RULES, WARNINGS_ONLY
from .rules.options import reads_differently


def _warnings(entries: list, options_map: dict, as_of: dt.date | None = None) -> list:
    out = []
    for name in (*RULES, *WARNINGS_ONLY):
        module = importlib.import_module(f"sunledger.rules.{name}")
        if hasattr(module, "warnings"):
            out.extend(module.warnings(entries, options_map, as_of=as_of))
    return out


def check_file(path: Path, as_of: dt.date | None = None) -> list[Problem]:
    """Load one ledger file (the plugins run inside) and add the warnings."""
    return _check(path, as_of)[0]


def _check(path: Path, as_of: dt.date | None = None) -> tuple[list[Problem], bool]:
    """The problems of one ledger file, and whether it was refused unparsed (a size limit)."""
    entries, errors, options_map = load(path)
    return [problem(e) for e in [*errors, *_warnings(entries, options_map, as_of)]], bool(options_map.get("sunledger_refused"))


def lost(result: Lost) -> Problem:
    """A fund whose check raised or whose process died, at its file: the other funds are still checked."""
    what = f"基金 {result.path.parent.name}" if result.path.name == "fund.beancount" else f"账本 {result.path.name}"
    return Problem(str(result.path), 1, said("SL009", f"其他错误：{what} 未能检查完：{result.why}"), "SL009", "error")


def _only_annotations(path: Path) -> tuple[bool, list[Problem]]:
    """A file with nothing a rule looks at (queries, Fava options), and its syntax errors."""
    entries, errors, _ = parser.parse_file(str(path))
    return not errors and all(isinstance(e, (data.Custom, data.Query)) for e in entries), [problem(e) for e in errors]


def _parallel_ok(main: Path, funds: list[Path]) -> tuple[bool, list[Problem]]:
    """Funds may be checked apart only if main holds nothing but them (and annotations)."""
    shallow = includes.scan(main, limits_of(main), deep=False)  # main and the files it names, none parsed yet
    own = [problem(e) for e in shallow.errors]
    fund_set = {os.path.realpath(f) for f in funds}
    if {os.path.realpath(f) for f in shallow.refused_files} - fund_set:
        return False, own  # main or an annotation file must not be parsed
    ok, main_errors = _only_annotations(main)
    own.extend(main_errors)
    if not ok:
        return False, own
    if any(reads_differently(main, fund) for fund in funds):  # apart, a fund's own options would count (SL011)
        return False, own
    included = {os.path.realpath(f) for f in shallow.files[1:]}
    for other in sorted(included - fund_set):
        other_ok, other_errors = _only_annotations(Path(other))
        own.extend(other_errors)
        if not other_ok:
            return False, own
    return fund_set <= included, own


def _without_ledger(root: Path) -> frozenset[str]:
    folders = (root / "content" / "funds").glob("*/")
    return frozenset(f.name for f in folders if not (root / "ledger" / "funds" / f.name / "fund.beancount").is_file())


def _results(paths: list[Path], jobs: int, as_of: dt.date | None) -> list[tuple[list[Problem], bool]]:
    """(problems, refused) of each file, a fund lost to an exception or a dead process included."""
    out = apart(functools.partial(_check, as_of=as_of), paths, jobs)
    return [([lost(r)], True) if isinstance(r, Lost) else r for r in out]


def check_root(root: Path, jobs: int = 1, as_of: dt.date | None = None) -> list[Problem]:
    main = root / "ledger" / "main.beancount"
    funds = fund_files(root)
    whole = None
    if jobs <= 1 or len(funds) < 2:
        whole = _results([main], 1, as_of)[0]
        if not whole[1]:
            return sorted(set(whole[0] + [problem(e) for e in load_content(root).errors]))
    # apart: asked for, or main was refused for a file over a limit (then the other funds are still checked)
    ok, own = _parallel_ok(main, funds) if len(funds) > 1 else (False, [])
    if not ok:
        found = (whole or _results([main], 1, as_of)[0])[0]
        return sorted(set(found + [problem(e) for e in load_content(root).errors]))
    order = biggest_first(funds)
    found, refused = list(own), set()
    for path, (problems, was_refused) in zip(order, _results(order, jobs, as_of)):
        found.extend(problems)
        if was_refused:
            refused.add(path.parent.name)
    # each fund's load reports its own content; here what no load read: funds without a ledger, or refused
    found.extend(problem(e) for e in load_content(root, _without_ledger(root) | refused).errors)
    return sorted(set(found))
