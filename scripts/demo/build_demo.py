"""Build the demo district 阳光账本 示范区: three funds, 26 months of books.

Run from the repository root:

    .venv/bin/python scripts/demo/build_demo.py

It rewrites `ledger/main.beancount`, `ledger/funds/`, `content/district.yml`
and `content/funds/` (nothing else: not `content/guide/`, not
`ledger/queries.beancount`), then seals the published months (up to 2026-08) with the
library's seal function. The output is byte-identical on every run: amounts
come from generators seeded by fund code, files are written in a fixed order.

The funds follow the seed articles: 高唐县 光明社区 (创意市集义卖, 剪纸, 5% of
the revenue of merchants using community space), 秦都区 团结北路社区 (28
partners, 公益+市场+低偿), 泸县 玉蟾国际城 小区共享发展金 (start-up money,
developer pre-deposits, parking and advertising income; its books keep their
own account names, mapped in fund.yml). The scenario is in scenario.py, the
model and writers in demokit.py.

While building, the script keeps the rules of DEVELOPING.md itself (bank never
negative, no source overdrawn, budgets, approvals, merchant shares) and stops
if the scenario breaks one, so the demo is clean except for the one intended
warning: 小团便民理发室 paid nothing for 2026-02 (W203).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demokit import (
    DISTRICT,
    FIRST_MONTH,
    ROOT,
    SEALED_THROUGH,
    dump_yaml,
    months,
    next_month,
    stage,
    write,
    write_fund,
    write_main,
)
from scenario import guangming, tuanjiebeilu, yuchan


def seal_months(codes: list[str]) -> None:
    """Seal every month up to SEALED_THROUGH, on the 10th of the month after."""
    from sunledger.sealing import seal_month  # what `sunledger seal CODE YYYY-MM` calls

    for code in codes:
        last = tuple(map(int, SEALED_THROUGH[code].split("-")))
        for y, m in months(FIRST_MONTH, last):
            ny, nm = next_month(y, m)
            seal_month(ROOT, code, f"{y:04d}-{m:02d}", dt.date(ny, nm, 10).isoformat())


def main() -> int:
    funds = [guangming(), tuanjiebeilu(), yuchan()]
    for info in funds:
        info.book.check()
    # only what this script writes: ledger/ also holds files of others (queries.beancount)
    shutil.rmtree(ROOT / "ledger" / "funds", ignore_errors=True)
    shutil.rmtree(ROOT / "content" / "funds", ignore_errors=True)
    write_main()
    write(ROOT / "content" / "district.yml", dump_yaml(DISTRICT, "示范区的区、街道、社区（基金之上的层级）"))
    for info in funds:
        write_fund(info)
    seal_months([info.book.code for info in funds])
    from make_statements import make  # the bank statements are derived from the ledger just written

    make()
    for info in funds:
        b = info.book
        stages: dict[str, int] = defaultdict(int)
        for p in b.projects.values():
            stages[stage(p)] += 1
        merchants = sum(1 for p in b.partners.values() if p.contract)
        print(f"{b.code}: {len(b.txns)} 笔交易, {len(b.projects)} 个项目 {dict(stages)}, {merchants} 个分成商户")
    return 0


if __name__ == "__main__":
    sys.exit(main())
