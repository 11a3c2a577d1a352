"""The fund rules, each a beancount plugin enabled from the main ledger.

`plugin "sunledger.rules.<name>"` makes bean-check, Fava and `sunledger check`
report the same errors. A module may also offer `warnings(entries,
options_map)` for what is reported but does not fail a check.
"""

RULES = ("currency", "sources", "projects", "attribution", "merchants", "bank", "seals", "privacy", "receipts", "content", "options")
# Reported by `sunledger check` only: lateness is not an error in the books.
WARNINGS_ONLY = ("disclosure",)
