"""Loading ledgers, whole or one fund at a time."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.parser import options

from ..config import Limits, find_root
from . import includes

# Top files (normalised) being loaded by load(), which reports their include and size errors
# itself: the content rule, running inside, reports them only for bean-check and Fava.
LOADING: set[str] = set()


def limits_of(path: Path | str) -> Limits:
    root = find_root(path)
    if root is None:
        return Limits()
    from ..content.load import (
        load_config,
    )

    return load_config(root)[0].limits  # its own errors are the content rule's to report


def load(path: Path):
    """Parse, book, run the plugins and validate, without beancount's pickle cache.

    The cache keys on ledger files only (and any uncached load deletes it), so
    a check after editing `content/` could report stale results. A tree whose
    files break a size limit is not parsed at all (see includes.py): its errors
    come back with no entries and `options_map["sunledger_refused"]` set.
    """
    scanned = includes.scan(path, limits_of(path))
    if scanned.refused:
        options_map = options.OPTIONS_DEFAULTS.copy()
        options_map.update(filename=str(path), include=scanned.files, sunledger_refused=True)
        return [], list(scanned.errors), options_map
    top = scanned.files[0]
    LOADING.add(top)
    try:
        entries, errors, options_map = loader._load([(top, True)], None, None, None)
    finally:
        LOADING.discard(top)
    # beancount's own "<load>:0" texts for what the scan reported at the include line
    errors = [e for e in errors if not (type(e).__name__ == "LoadError" and e.message in scanned.missing)]
    return entries, [*scanned.errors, *errors], options_map


def fund_files(root: Path) -> list[Path]:
    return sorted((root / "ledger" / "funds").glob("*/fund.beancount"))


def biggest_first(funds: list[Path]) -> list[Path]:
    """Funds by the size of their ledger folders, largest first: a pool that starts them
    first does not end waiting on one big fund."""
    return sorted(funds, key=lambda f: -sum(p.stat().st_size for p in f.parent.rglob("*.beancount")))


@dataclass(frozen=True)
class Lost:
    """A fund whose load raised, or whose process died: the caller reports it at the fund's file."""

    path: Path
    why: str


def apart(fn: Callable[[Path], Any], paths: list[Path], jobs: int) -> list[Any]:
    """`fn(path)` for each path (in `jobs` processes when > 1), in the order of `paths`; a
    `Lost` for each that raised or whose process died, so one fund never takes the rest down."""
    if jobs <= 1:
        return [_guarded(fn, p) for p in paths]
    results: dict[Path, Any] = {}
    broken: list[Path] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        futures = [(p, pool.submit(fn, p)) for p in paths]
        for p, future in futures:
            try:
                results[p] = future.result()
            except BrokenProcessPool:  # a worker died (a signal, the OOM killer): every pending fund fails alike
                broken.append(p)
            except Exception as exc:
                results[p] = Lost(p, f"{type(exc).__name__}: {exc}")
    for p in broken:  # each again in a process of its own, to find the one that dies
        results[p] = _alone(fn, p)
    return [results[p] for p in paths]


def _guarded(fn: Callable[[Path], Any], path: Path) -> Any:
    try:
        return fn(path)
    except Exception as exc:
        return Lost(path, f"{type(exc).__name__}: {exc}")


def _child(fn: Callable[[Path], Any], path: Path, conn) -> None:
    conn.send(_guarded(fn, path))
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
