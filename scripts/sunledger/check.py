"""`sunledger check`: every problem of a district at once, as file:line.

The same plugins run inside bean-check and Fava; this adds the warnings and
content/ problems of funds without a ledger. Loading, whole or funds apart in
parallel, is `loading`'s.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import NamedTuple

from .content.load import load_content
from .errors import Problem, problem
from .ledger.load import fund_file, load
from .loading import Apart, Lost, whole_or_apart
from .rules import warnings


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
