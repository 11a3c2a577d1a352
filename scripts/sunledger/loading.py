"""The one loading path of a district: whole, or each fund apart in parallel.

`sunledger check`, the site (`district.load_district`) and `sunledger seal`
load through here. Fava loads the books itself; `district.district_from_entries`
builds on its load, so nothing is parsed twice.

Whole is how bean-check and Fava read the books: `ledger/main.beancount` and
all it includes (`ledger.load.load`, which refuses a tree over a size limit
unparsed). Apart, each `funds/*/fund.beancount` is the top file of its own
load, in its own process, biggest first. That gives what the whole gives only
when main holds nothing but the funds and annotations (saved queries, Fava
options) and every fund file reads the books as main does (SL011): `apart()`
checks it first and answers None otherwise. A fund whose load raises or whose
process dies is one SL009 at its file; the other funds are still loaded.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import options, parser

from .errors import FundError, error, meta
from .ledger import includes
from .ledger.load import Loaded, fund_files, limits_of, load
from .rules.options import reads_differently


def main_of(root: Path) -> Path:
    return Path(root) / "ledger" / "main.beancount"


@dataclass(frozen=True)
class Lost:
    """A fund whose load raised, or whose process died."""

    path: Path
    why: str
    refused = True  # unread, as a tree over a size limit is

    @property
    def error(self) -> FundError:
        """At the fund's file, so the treasurer knows which fund to look at."""
        what = f"基金 {self.path.parent.name}" if self.path.name == "fund.beancount" else f"账本 {self.path.name}"
        return error(meta(str(self.path), 1), "SL009", f"其他错误：{what} 未能检查完：{self.why}")

    @property
    def loaded(self) -> Loaded:
        """As `load` gives a tree it refuses: no entries, the error."""
        options_map = options.OPTIONS_DEFAULTS.copy()
        options_map.update(filename=str(self.path), include=[], sunledger_refused=True)
        return Loaded([], [self.error], options_map)


@dataclass(frozen=True)
class Apart:
    """Funds loaded apart, and what main holds beside them."""

    errors: list  # of main's own include lines (SL004), found by the scan before any parse
    entries: list  # of main and its annotation files, parsed only (they hold no transactions)
    options_map: dict  # main's, parsed only
    files: list[str]  # main and its annotation files
    funds: dict[Path, Any]  # fund file -> fn(fund file) or a Lost, in path order


def whole_or_apart(root: Path, fn: Callable[[Path], Any], jobs: int) -> Any:
    """`fn(main)` (or a Lost), the whole district; or an Apart of `fn(fund file)` for each fund, when asked
    (jobs > 1) or when the whole was refused unparsed (a file over a size limit: the funds beside
    it are still read), and main allows it. `fn`'s results have `refused`, as `Loaded` has."""
    main = main_of(root)
    whole = guarded(fn, main) if jobs <= 1 else None
    if whole is not None and not whole.refused:
        return whole
    split = apart(root, fn, jobs)
    if split is not None:
        return split
    return whole if whole is not None else guarded(fn, main)


def apart(root: Path, fn: Callable[[Path], Any], jobs: int) -> Apart | None:
    """`fn(fund file)` for each fund (in `jobs` processes when > 1), or None when the funds
    may not be loaded apart (fewer than two, or main holds more than them and annotations)."""
    main, funds = main_of(root), fund_files(root)
    if len(funds) < 2:
        return None
    beside = _beside(main, funds)
    if beside is None:
        return None
    order = biggest_first(funds)
    results = dict(zip(order, each(fn, order, jobs)))
    return Apart(*beside, funds={f: results[f] for f in funds})


def _beside(main: Path, funds: list[Path]) -> tuple[list, list, dict, list[str]] | None:
    """(errors, entries, options_map, files) of main and its annotation files, or None when
    main holds anything a rule looks at, or a fund would read the books differently alone."""
    shallow = includes.scan(main, limits_of(main), deep=False)  # main and the files it names, none parsed yet
    fund_set = {os.path.realpath(f) for f in funds}
    if {os.path.realpath(f) for f in shallow.refused_files} - fund_set:
        return None  # main or an annotation file must not be parsed
    if any(reads_differently(main, fund) for fund in funds):  # apart, a fund's own options would count (SL011)
        return None
    included = {os.path.realpath(f) for f in shallow.files[1:]}
    if not fund_set <= included:
        return None
    files = [str(main), *sorted(included - fund_set)]
    entries: list = []
    options_map: dict = {}
    for path in files:
        parsed, errors, parsed_options = parser.parse_file(path)
        if errors or not all(isinstance(e, (data.Custom, data.Query)) for e in parsed):
            return None  # its errors come from the whole load, as bean-check gives them
        entries.extend(parsed)
        if path == files[0]:
            options_map = parsed_options
    return list(shallow.errors), entries, options_map, files


def load_books(root: Path, jobs: int = 1) -> Loaded:
    """The district's entries, errors and options_map as `load(main)` gives them, fund by
    fund in processes of their own (see `whole_or_apart`) when jobs > 1."""
    split = whole_or_apart(root, load, jobs)
    if not isinstance(split, Apart):
        return split.loaded if isinstance(split, Lost) else split
    entries, errors, included = list(split.entries), list(split.errors), list(split.files)
    for result in split.funds.values():  # in path order, as main's include pattern lists them; the sort below is stable
        loaded = result.loaded if isinstance(result, Lost) else result
        entries.extend(loaded.entries)
        errors.extend(loaded.errors)
        included += loaded.options_map["include"]
    entries.sort(key=data.entry_sortkey)
    # a fund's options are main's (SL011 holds, or the funds would not load apart)
    options_map = dict(split.options_map, filename=split.files[0], include=list(dict.fromkeys(included)))
    return Loaded(entries, errors, options_map)


def biggest_first(funds: list[Path]) -> list[Path]:
    """Funds by the size of their ledger folders, largest first: a pool that starts them
    first does not end waiting on one big fund."""
    return sorted(funds, key=lambda f: -sum(p.stat().st_size for p in f.parent.rglob("*.beancount")))


# A fund's load and views make millions of objects that live until its part is done, and the
# collector walked all of them every 700 new ones: a tenth of a fund's load (0.41 s of 4.1 s for five
# funds of the benchmark district; 0.08 s collecting after every 50,000).
FUND_GC = (50_000, 20, 100)


@contextlib.contextmanager
def fewer_collections():
    """`FUND_GC` while a fund is loaded in this process; the thresholds as they were after."""
    was = gc.get_threshold()
    gc.set_threshold(*FUND_GC)
    try:
        yield
    finally:
        gc.set_threshold(*was)


def _worker_start() -> None:
    """A forked worker: what it inherited is never garbage of its own (nor walked again), and `FUND_GC`."""
    gc.freeze()
    gc.set_threshold(*FUND_GC)


def each(fn: Callable[[Path], Any], paths: list[Path], jobs: int, meanwhile: Callable[[], Any] | None = None,
         then: Callable[[Path, Any], Any] | None = None) -> list[Any]:
    """`fn(path)` for each path (in `jobs` processes when > 1), in the order of `paths`; a
    `Lost` for each that raised or whose process died, so one fund never takes the rest down.
    `meanwhile()` runs in this process while the others work (after them with one job), and
    `then(path, result)` on each result as it comes, while the others go on; its value is the result."""
    then = then or (lambda _p, result: result)
    if jobs <= 1 or not paths:
        with fewer_collections():
            out = [then(p, guarded(fn, p)) for p in paths]
        if meanwhile is not None:
            meanwhile()
        return out
    results: dict[Path, Any] = {}
    broken: list[Path] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), initializer=_worker_start) as pool:
        futures = [(p, pool.submit(fn, p)) for p in paths]  # every worker is forked by now: none beside `meanwhile`
        if meanwhile is not None:
            meanwhile()
        for p, future in futures:
            try:
                results[p] = then(p, future.result())
            except BrokenProcessPool:  # a worker died (a signal, the OOM killer): every pending fund fails alike
                broken.append(p)
            except Exception as exc:
                results[p] = then(p, Lost(p, f"{type(exc).__name__}: {exc}"))
    for p in broken:  # each again in a process of its own, to find the one that dies
        results[p] = then(p, _alone(fn, p))
    return [results[p] for p in paths]


def guarded(fn: Callable[[Path], Any], path: Path) -> Any:
    """`fn(path)`, or a Lost if it raised."""
    try:
        return fn(path)
    except Exception as exc:
        return Lost(path, f"{type(exc).__name__}: {exc}")


def _child(fn: Callable[[Path], Any], path: Path, conn) -> None:
    conn.send(guarded(fn, path))
    conn.close()


def _alone(fn: Callable[[Path], Any], path: Path) -> Any:
    ctx = multiprocessing.get_context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, path, send))
    proc.start()
    send.close()
    try:
        result = recv.recv()
    except EOFError:  # the child died before it could answer
        result = None
    finally:
        recv.close()
        proc.join()
    if result is not None and proc.exitcode == 0:
        return result
    code = proc.exitcode or 0
    try:
        why = f"信号 {signal.Signals(-code).name}" if code < 0 else f"退出码 {code}"
    except ValueError:
        why = f"信号 {-code}"
    return Lost(path, f"进程意外终止（{why}）")
