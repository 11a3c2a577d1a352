"""Views are pure and take the rules' findings as data (ARCHITECTURE.md): no module of
`sunledger.views` imports a rule, a command or a face."""

from __future__ import annotations

import ast
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[2] / "scripts" / "sunledger" / "views"
FORBIDDEN = ("rules", "check", "cli", "sealing", "publish", "scaffold", "site", "audit", "importers", "downloads")


def imported(path: Path) -> set[str]:
    """The first component below `sunledger` of every relative import of a view module."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level >= 2:
            out.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("sunledger."):
            out.add(node.module.split(".")[1])
    return out


def test_views_import_no_rule_command_or_face():
    found = {(p.name, part) for p in sorted(VIEWS.glob("*.py")) for part in imported(p) if part in FORBIDDEN}
    assert found == set()
