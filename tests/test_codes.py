"""The one table of codes (sunledger/codes.yml) against the source that raises them and the docs.

Every code the package raises is in the table, every code of the table is
raised, at the level the table says, by the modules it names; both documents
list exactly the table's codes at the same level, and their tables are the
ones scripts/code_tables.py generates from it; every entry says everything in
both languages.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sunledger import errors, privacy
from sunledger.errors import codes
from sunledger.rules import RULES, WARNINGS_ONLY

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scripts" / "sunledger"
CODE = re.compile(r"\b(?:SL|W)\d{3}\b")
SOURCES = {p: p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}
CJK = re.compile(r"[\u4e00-\u9fff]")


def mentioned(text: str) -> set[str]:
    """The codes a text names, ranges such as `SL106–SL109` or `W901-W905` spelt out."""
    found = set(CODE.findall(text))
    for first, last in re.findall(r"\b((?:SL|W)\d{3})[–-]((?:SL|W)\d{3})\b", text):
        prefix = first.rstrip("0123456789")
        found.update(f"{prefix}{n:03d}" for n in range(int(first[len(prefix):]), int(last[len(prefix):]) + 1))
    return found


def literals(text: str) -> set[str]:
    """Codes written as string constants (`"SL102"`) or inside one (`f"{rel}: SL804 …"`): what is raised."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if not (node.value.startswith(("\n", " ")) or len(node.value) > 400):  # docstrings name, they do not raise
                out.update(CODE.findall(node.value))
    return out


def raised_as() -> dict[str, set[str]]:
    """code -> {"error", "warning"}: the kind of the call each literal code is passed to."""
    kinds: dict[str, set[str]] = {}
    for text in SOURCES.values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("error", "warning"):
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    kinds.setdefault(node.args[1].value, set()).add(node.func.id)
    return kinds


def test_every_code_raised_is_in_the_table():
    raised = {code: path for path, text in SOURCES.items() for code in literals(text)}
    missing = {code: str(path.relative_to(REPO)) for code, path in raised.items() if code not in codes()}
    assert missing == {}


def test_every_code_named_in_the_source_is_in_the_table():
    named = {code: path for path, text in SOURCES.items() for code in mentioned(text)}
    assert {c: str(p.relative_to(REPO)) for c, p in named.items() if c not in codes()} == {}


def test_every_code_of_the_table_is_raised():
    raised = set().union(*(literals(text) for text in SOURCES.values()))
    assert [c for c in codes() if c not in raised] == []


def test_levels_follow_the_code_and_the_call():
    for code, row in codes().items():
        assert (row.level == "warning") == code.startswith("W"), code
    for code, kinds in raised_as().items():
        assert kinds == {codes()[code].level}, (code, kinds)


def _source(*parts: str) -> str:
    return (PACKAGE.joinpath(*parts)).read_text(encoding="utf-8")


def test_the_raisers_named_raise_it():
    native = set(errors._NATIVE.values()) | {errors._OTHER}
    site = "\n".join(t for p, t in SOURCES.items() if p.parent.name == "site")
    for code, row in codes().items():
        for who in row.raised_by:
            assert who in (*RULES, *WARNINGS_ONLY, *errors.RAISERS), (code, who)
            if who == "beancount":
                assert code in native, code
            elif who == "build":  # the site's scan reports the private numbers privacy.find_private yields
                assert code in mentioned(site) | set(privacy.KIND_ZH), code
            elif who == "check":
                assert code in literals(_source("check.py")), code
            else:
                assert code in mentioned(_source("rules", f"{who}.py")), (code, who)


def test_a_rule_module_raising_a_code_is_named_for_it():
    for name in (*RULES, *WARNINGS_ONLY):
        for code in literals(_source("rules", f"{name}.py")) - {"SL009"}:  # SL009: a rule that failed inside
            assert name in codes()[code].raised_by, (code, name)


@pytest.mark.parametrize("code", list(codes()))
def test_every_field_in_both_languages(code: str):
    row = codes()[code]
    texts = {"title": row.title, "why": row.why, "fix": row.fix, **({"name": row.name} if row.name else {})}
    for field, text in texts.items():
        assert CJK.search(text.zh), (code, field, "zh")
        assert re.search(r"[A-Za-z]{3}", text.en) and len(CJK.findall(text.en)) * 5 < len(text.en), (code, field, "en")
    assert row.raised_by


def _doc_table(path: Path, header: str) -> dict[str, str]:
    """code -> level cell of the first table under `header`."""
    text = path.read_text(encoding="utf-8").split(header, 1)[1]
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            if rows:
                break
            continue
        for code in CODE.findall(cells[0]):
            rows[code] = cells[1]
    return rows


def test_both_documents_list_exactly_the_table_at_its_levels():
    developing = _doc_table(REPO / "DEVELOPING.md", "## Errors")
    guide = _doc_table(REPO / "content" / "guide" / "treasurer.md", "### 错误代码表")
    zh = {"error": "错误", "warning": "提醒"}
    assert developing == {c: r.level for c, r in codes().items()}
    assert guide == {c: zh[r.level] for c, r in codes().items()}


def test_the_documents_tables_are_generated_from_the_table():
    """A hand edit of a doc's table (or of codes.yml without `make codes`) fails here with the diff."""
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "code_tables.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_code_of_is_gone():
    assert not hasattr(errors, "code_of")


def test_native_errors_get_their_code_and_chinese_name():
    from beancount.parser.parser import ParserError

    p = errors.problem(ParserError({"filename": "x.beancount", "lineno": 3}, "syntax error, unexpected EOL", None))
    assert (p.code, p.level, p.lineno) == ("SL001", "error", 3)
    assert p.message.startswith("SL001 账本语法错误：syntax error")


def test_close_codes_of_a_typo():
    assert errors.close_to("SL1022")[:1] == ["SL102"]
    assert "W302" in errors.close_to("w32")
