"""Loading ledgers, whole or one fund at a time."""

from __future__ import annotations

from pathlib import Path

from beancount import loader


def load(path: Path):
    """Parse, book, run the plugins and validate, without beancount's pickle cache.

    The cache keys on ledger files only (and any uncached load deletes it), so
    a check after editing `content/` could report stale results.
    """
    return loader._load([(str(path), True)], None, None, None)  # noqa: SLF001 - the uncached public load


def fund_files(root: Path) -> list[Path]:
    return sorted((root / "ledger" / "funds").glob("*/fund.beancount"))


def biggest_first(funds: list[Path]) -> list[Path]:
    """Funds by the size of their ledger folders, largest first: a pool that starts them
    first does not end waiting on one big fund."""
    return sorted(funds, key=lambda f: -sum(p.stat().st_size for p in f.parent.rglob("*.beancount")))
