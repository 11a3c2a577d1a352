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
from .ledger.load import Loaded, fund_file, load
from .loading import Apart, Lost, whole_or_apart
from .rules import warnings


class Checked(NamedTuple):
    problems: list[Problem]
    refused: bool  # unparsed (a size limit): the content rule inside did not read its content


def check_file(path: Path, as_of: dt.date | None = None) -> list[Problem]:
    """Load one ledger file (the plugins run inside) and add the warnings."""
    return _check(path, as_of).problems


def _check(path: Path, as_of: dt.date | None = None) -> Checked:
    return checked(load(path), as_of)


def checked(loaded: Loaded, as_of: dt.date | None = None) -> Checked:
    """A load's errors (the plugins ran inside) and the warnings: what `check` finds in it."""
    entries, errors, options_map = loaded
    return Checked([problem(e) for e in [*errors, *warnings(entries, options_map, as_of)]], loaded.refused)


def _checked(result: Checked | Lost) -> Checked:
    """A file whose check raised or whose process died is one SL009 at it, and its content unread."""
    return Checked([problem(result.error)], True) if isinstance(result, Lost) else result


def _without_ledger(root: Path) -> frozenset[str]:
    folders = (root / "content" / "funds").glob("*/")
    return frozenset(f.name for f in folders if not fund_file(root, f.name).is_file())


def check_root(root: Path, jobs: int = 1, as_of: dt.date | None = None, cache: bool = True) -> list[Problem]:
    """Every problem of the district: its load's errors (the plugins run inside), the warnings,
    and content/ problems; funds apart in `jobs` processes when main allows it (`loading`).

    With `cache`, a fund whose inputs are byte for byte those of a previous check is not
    loaded again: its problems are read back (`checkcache`; the key covers every input)."""
    root = Path(root).resolve()
    day = as_of or dt.date.today()
    check = functools.partial(_check, as_of=day)
    if cache:
        found = _cached(root, jobs, day)
        if found is not None:
            return found
    result = whole_or_apart(root, check, jobs)
    if not isinstance(result, Apart):
        return _whole(root, _checked(result))
    return _combined(root, result.errors, {path: _checked(fund) for path, fund in result.funds.items()})


def _whole(root: Path, checked: Checked) -> list[Problem]:
    return sorted({*checked.problems, *(problem(e) for e in load_content(root).errors)})


def _combined(root: Path, main_errors: list, funds: dict[Path, Checked], content_key: str | None = None) -> list[Problem]:
    """`content_key`: checkcache.content_key of content/ as it is now, to read what no fund's load
    read from the cache (reading every fund.yml again for it was a third of a warm check)."""
    found, unread = [problem(e) for e in main_errors], set()
    for path, checked in funds.items():
        found.extend(checked.problems)
        if checked.refused:
            unread.add(path.parent.name)
    # each fund's load reports its own content; here what no load read: funds without a ledger, or unread
    found.extend(_content_problems(root, _without_ledger(root) | unread, content_key))
    return sorted(set(found))


def _content_problems(root: Path, codes: frozenset[str], content_key: str | None) -> list[Problem]:
    if content_key is None:
        return [problem(e) for e in load_content(root, codes).errors]
    from . import checkcache

    # content/'s files (content_key) and the codes are all load_content reads; "content" is no fund's code
    # (a code is an account component: it starts with a capital or a digit)
    store, key = checkcache.Store(root), f"{content_key}|{','.join(sorted(codes))}"
    hit = store.get("content", key)
    if hit is not None:
        return hit[0]
    found = [problem(e) for e in load_content(root, codes).errors]
    store.put("content", key, found, False)
    return found


def _cached(root: Path, jobs: int, day: dt.date) -> list[Problem] | None:
    """The check through the cache: fund by fund when main allows (even with one job, so that
    one fund's edit costs one fund), else the district as one entry. None: no main ledger."""
    from . import checkcache
    from .ledger.load import fund_files, limits_of
    from .loading import _beside, biggest_first, each, main_of

    main = main_of(root)
    if not main.is_file():
        return None
    store, check = checkcache.Store(root), functools.partial(_check, as_of=day)
    funds = fund_files(root)
    beside = _beside(main, funds) if len(funds) >= 2 else None
    if beside is None:
        key = checkcache.whole_key(root, day)
        hit = store.get("district", key)
        if hit is not None:
            return _whole(root, Checked(*hit))
        result = whole_or_apart(root, check, jobs)
        if isinstance(result, Apart):  # refused whole (a size limit): apart after all
            return _combined(root, result.errors, {path: _checked(f) for path, f in result.funds.items()})
        checked = _checked(result)
        if not isinstance(result, Lost):
            store.put("district", key, checked.problems, checked.refused)
        return _whole(root, checked)
    shared, limits = checkcache.shared_digest(root, day), limits_of(main)
    folders: dict[Path, str] = {}
    keys = {f: checkcache.fund_key(root, f, shared, limits, folders) for f in funds}
    done: dict[Path, Checked] = {}
    for f in funds:
        hit = store.get(f.parent.name, keys[f])
        if hit is not None:
            done[f] = Checked(*hit)
    missing = biggest_first([f for f in funds if f not in done])
    for f, result in zip(missing, each(check, missing, jobs)):
        done[f] = _checked(result)
        if not isinstance(result, Lost):  # a crash may not happen again: never remembered
            store.put(f.parent.name, keys[f], done[f].problems, done[f].refused)
    return _combined(root, list(beside[0]), {f: done[f] for f in funds}, checkcache.content_key(root, folders))
