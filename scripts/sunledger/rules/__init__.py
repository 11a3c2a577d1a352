"""The fund rules, each a beancount plugin enabled from the main ledger.

`plugin "sunledger.rules.<name>"` makes bean-check, Fava and `sunledger check`
report the same errors. A module may also offer `warnings(entries,
options_map)` for what is reported but does not fail a check.
"""

from __future__ import annotations

import datetime as dt
import importlib

RULES = ("currency", "sources", "projects", "attribution", "merchants", "bank", "seals", "privacy", "receipts", "reports", "content", "options")
# Reported by `sunledger check` only: lateness is not an error in the books.
WARNINGS_ONLY = ("disclosure",)


def warnings(entries: list, options_map: dict, as_of: dt.date | None = None) -> list:
    """Every rule module's warnings (FundWarning) on loaded entries. `sunledger check`, the site
    and the audit report add them to the plugins' errors; bean-check and Fava show the errors only."""
    out = []
    for name in (*RULES, *WARNINGS_ONLY):
        module = importlib.import_module(f"{__name__}.{name}")
        if hasattr(module, "warnings"):
            out.extend(module.warnings(entries, options_map, as_of=as_of))
    return out
