"""Merchants' shares (商户分成): the rate of a contract, what a month's
revenue owes, and which months are due by now.

SL201 holds each payment to `share_due`, W203 counts the months up to
`share_due_by`; the partner page, the site's dues table and the audit report
show the same figures because they call the same functions.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..config import Config
from ..content.models import Contract
from ..periods import month_of, shift_month

FEN = Decimal("0.01")


def share_rate(contract: Contract, config: Config) -> Decimal:
    """The contract's own rate, else the district's `merchant_rate`."""
    return contract.rate if contract.rate is not None else config.merchant_rate


def share_due(contract: Contract, config: Config, revenue: Decimal) -> Decimal:
    """What a month with `revenue` owes: rate × revenue, to the fen, halves rounded up."""
    return (share_rate(contract, config) * revenue).quantize(FEN, rounding=ROUND_HALF_UP)


def share_due_by(last: dt.date) -> str:
    """The last month whose share is due, given a fund's last entry: the share
    of month M is due by the end of M+1, so months up to two before the last
    entry's month."""
    return shift_month(month_of(last), -2)
