"""Loading one ledger file (main, or a fund's) with its plugins; a district, whole or fund by
fund in parallel, is `sunledger.loading`'s."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

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


class Loaded(NamedTuple):
    """What beancount's loader gives, and whether the tree was refused unparsed."""

    entries: list
    errors: list
    options_map: dict

    @property
    def refused(self) -> bool:
        return bool(self.options_map.get("sunledger_refused"))


def load(path: Path) -> Loaded:
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
        return Loaded([], list(scanned.errors), options_map)
    top = scanned.files[0]
    LOADING.add(top)
    try:
        entries, errors, options_map = loader._load([(top, True)], None, None, None)
    finally:
        LOADING.discard(top)
    # beancount's own "<load>:0" texts for what the scan reported at the include line
    errors = [e for e in errors if not (type(e).__name__ == "LoadError" and e.message in scanned.missing)]
    return Loaded(entries, [*scanned.errors, *errors], options_map)


def fund_file(root: Path, code: str) -> Path:
    """A fund's own top file, from which its books load alone (`sunledger seal`, `check -j`)."""
    return Path(root) / "ledger" / "funds" / code / "fund.beancount"


def fund_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "ledger" / "funds").glob("*/fund.beancount"))
