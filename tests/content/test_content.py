"""content/ YAML: every problem names the YAML file and line, in Chinese."""

from __future__ import annotations

from conftest import PROJECT

CLEAN = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov
"""


def _line(path, text):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_bad_field_names_its_line(district):
    district.ledger(CLEAN)
    path = district.project({**PROJECT, "budget": "一千元"})
    problems = district.problems()
    want = f"content/funds/Test/projects/T-01.yml:{_line(path, 'budget')}: SL702 budget：不是有效的金额或数字（sunledger explain SL702）"
    assert want in problems, problems
    # the same through the plugin inside bean-check
    out = district.bean_check()
    assert "SL702 budget：不是有效的金额或数字" in out.stdout + out.stderr


def test_unreadable_yaml(district):
    district.ledger(CLEAN)
    district.write("content/funds/Test/projects/T-01.yml", "id: T-01\ntitle: [未闭合\n")
    assert any(p.startswith("content/funds/Test/projects/T-01.yml:") and " SL701 " in p for p in district.problems())


def test_unknown_partner_and_bad_funding(district):
    district.ledger(CLEAN)
    path = district.project({**PROJECT, "partner": "T-NOPE", "funding": {"政府拨": "600.00", "天降": "400.00"}})
    problems = "\n".join(district.problems())
    assert f"T-01.yml:{_line(path, 'partner')}: SL703" in problems
    assert f"T-01.yml:{_line(path, '天降')}: SL703" in problems


def test_stage_dates_in_order_and_funding_sums(district):
    district.ledger(CLEAN)
    district.project({**PROJECT, "accepted": "2024-01-01"})
    assert any("SL702" in p and "接单日期" in p for p in district.problems())
    district.project({**PROJECT, "funding": {"政府拨": "10.00"}})
    assert any("SL702" in p and "资金计划合计" in p for p in district.problems())


def test_private_data_in_yaml(district):
    district.ledger(CLEAN)
    path = district.project({**PROJECT, "need": "联系人电话 139-1234-5678"})
    assert f"content/funds/Test/projects/T-01.yml:{_line(path, 'need')}: SL501" in "\n".join(district.problems())


def test_duplicate_project_id(district):
    district.ledger(CLEAN)
    district.write_yaml("content/funds/Test/projects/copy.yml", PROJECT)
    assert any(" SL704 " in p for p in district.problems())


def test_missing_config_is_not_a_traceback(district):
    district.ledger(CLEAN)
    (district.root / "sunledger.yml").unlink()
    out = district.bean_check()
    assert "SL004" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
