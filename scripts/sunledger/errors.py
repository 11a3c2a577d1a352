"""The one error type every rule and loader returns.

It is a beancount error namedtuple (source, message, entry), so plugins hand
it to beancount unchanged and bean-check and Fava print it; the message starts
with the stable code so all three faces show the same text.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class FundError(NamedTuple):
    source: dict[str, Any]
    message: str
    entry: Any


class FundWarning(NamedTuple):
    """Reported by `sunledger check` and the audit report, never by plugins."""

    source: dict[str, Any]
    message: str
    entry: Any


def meta(filename: str | None, lineno: int | None) -> dict[str, Any]:
    return {"filename": filename or "<unknown>", "lineno": lineno or 0}


def error(source: dict[str, Any] | None, code: str, text: str, entry: Any = None) -> FundError:
    src = meta(None, None) if source is None else {"filename": source.get("filename", "<unknown>"), "lineno": source.get("lineno", 0)}
    return FundError(src, f"{code} {text}", entry)


def warning(source: dict[str, Any] | None, code: str, text: str, entry: Any = None) -> FundWarning:
    return FundWarning(*error(source, code, text, entry))
