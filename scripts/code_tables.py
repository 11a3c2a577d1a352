"""Write the error-code tables of DEVELOPING.md and the treasurer's guide from `sunledger/codes.yml`.

The table of codes is written once (codes.yml); each document holds a copy
between two markers, generated here, so a code cannot be in one and missing
from the other, and a fix is worded once. `make codes` rewrites both;
`--check` (run by tests/test_codes.py) fails with a diff when a copy is stale.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from sunledger.errors import LABELS, codes

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- codes: generated from scripts/sunledger/codes.yml by `make codes`; edit there, not here -->"
END = "<!-- /codes -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def developing_table() -> str:
    rows = ["| code | level | raised by | meaning |", "| --- | --- | --- | --- |"]
    rows += [f"| {c} | {r.level} | {', '.join(r.raised_by)} | {_cell(r.title.en)} |" for c, r in codes().items()]
    return "\n".join(rows)


def guide_table() -> str:
    rows = ["| 代码 | 级别 | 含义 | 怎么改 |", "| --- | --- | --- | --- |"]
    rows += [f"| {c} | {LABELS['zh'][r.level]} | {_cell(r.title.zh)} | {_cell(r.fix.zh)} |" for c, r in codes().items()]
    return "\n".join(rows)


DOCS = {"DEVELOPING.md": developing_table, "content/guide/treasurer.md": guide_table}


def with_table(text: str, table: str) -> str:
    """`text` with what stands between the markers replaced by `table`."""
    head, begin, rest = text.partition(BEGIN)
    if not begin or END not in rest:
        raise ValueError(f"markers missing: {BEGIN} … {END}")
    return f"{head}{BEGIN}\n{table}\n{END}{rest.split(END, 1)[1]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 with a diff if a document is stale")
    ap.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = ap.parse_args(argv)
    stale = 0
    for rel, table in DOCS.items():
        path = args.root / rel
        old = path.read_text(encoding="utf-8")
        new = with_table(old, table())
        if new == old:
            continue
        stale += 1
        if args.check:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), rel, f"{rel} (from codes.yml)"))
        else:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {rel}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
