"""Inputs a check must name at their line: includes, size limits, YAML depth,
outcome photos and receipts (SL004, SL010, SL701, SL801, SL803, SL804)."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from conftest import CLEAN, PROJECT

RECEIPT = '  project: "T-01"\n  receipt: "receipts/r{ext}"\n{public}'


def _at(problems: list[str], code: str) -> list[str]:
    return [p for p in problems if f": {code} " in p]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def _with_receipt(district, ext: str, data: bytes, public: bool = True) -> None:
    district.ledger(CLEAN.replace('  project: "T-01"\n', RECEIPT.format(ext=ext, public="  receipt-public: TRUE\n" if public else "")))
    path = district.root / f"ledger/funds/Test/receipts/r{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _with_photo(district, photo: str) -> None:
    district.ledger(CLEAN)
    district.project({**PROJECT, "outcomes": [{"text": "食堂开张", "photo": photo}]})


# ---------------------------------------------------------------- includes


def _line(path, text: str) -> int:
    return next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if row.startswith(text))


def test_missing_and_empty_includes_are_named_at_their_include_line(district):
    district.ledger(CLEAN + 'include "nowhere.beancount"\n')
    (district.root / "ledger/funds/Test/seals.beancount").unlink()
    problems = district.problems()
    assert not [p for p in problems if p.startswith("<load>")], problems
    assert ('ledger/funds/Test/txns/all.beancount:11: SL004 文件加载错误：include "nowhere.beancount" 找不到任何文件；检查文件名和路径'
            '（sunledger explain SL004）' in problems)
    seals = _line(district.root / "ledger/funds/Test/fund.beancount", 'include "seals.beancount"')
    assert any(p.startswith(f"ledger/funds/Test/fund.beancount:{seals}: SL004") and '"seals.beancount"' in p for p in problems), problems


def test_a_new_fund_without_months_is_told_what_to_do(district):
    district.ledger(CLEAN)
    (district.root / "ledger/funds/Test/txns/all.beancount").unlink()
    (line,) = _at(district.problems(), "SL004")
    months = _line(district.root / "ledger/funds/Test/fund.beancount", 'include "txns/*.beancount"')
    assert line.startswith(f'ledger/funds/Test/fund.beancount:{months}: SL004 文件加载错误：include "txns/*.beancount" 找不到任何文件')
    assert "先建一个空文件" in line


def test_an_include_of_a_folder_or_twice_is_an_error_not_a_traceback(district):
    district.ledger(CLEAN + 'include "../txns"\ninclude "all.beancount"\n')
    problems = district.problems()
    assert any(p.startswith("ledger/funds/Test/txns/all.beancount:11: SL004") and "是文件夹" in p for p in problems), problems
    assert not _at(problems, "SL009")


# ---------------------------------------------------------------- size limits


def test_a_line_over_the_limit_is_refused_and_the_other_files_say_nothing(district):
    district.ledger(CLEAN.replace('"年度工作经费"', '"' + "经费" * 1000 + '"'))  # 6,000 bytes
    problems = district.problems()
    assert problems == [
        "ledger/funds/Test/txns/all.beancount:1: SL010 输入超过大小限制：第 1 行有 6,039 字节，超过上限 4,096 字节"
        "（sunledger.yml 的 limits.line_bytes）；过长的说明请写在项目资料里（sunledger explain SL010）"
    ]


def test_limits_come_from_sunledger_yml_within_bounds(district):
    district.ledger(CLEAN.replace('"年度工作经费"', '"' + "经费" * 1000 + '"'))
    config = district.root / "sunledger.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("line_bytes: 4096", "line_bytes: 8192"), encoding="utf-8")
    assert not _at(district.problems(), "SL010")
    config.write_text(text.replace("line_bytes: 4096", "line_bytes: 20000"), encoding="utf-8")
    (bad,) = _at(district.problems(), "SL702")
    assert bad.startswith("sunledger.yml:") and "limits.line_bytes" in bad


def test_a_yaml_file_over_the_limit_is_not_read(district):
    district.ledger(CLEAN)
    district.write("content/funds/Test/partners.yml", "- id: x\n  description: " + "长" * 400_000 + "\n")
    (line,) = _at(district.problems(), "SL010")
    assert line.startswith("content/funds/Test/partners.yml:1: SL010 输入超过大小限制：文件有 1,200,024 字节，超过上限 1,000,000 字节")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[" * 100_000, 1),
        ("{a: " * 10_000, 1),
        ("".join(" " * (2 * i) + "-\n" for i in range(60)), 51),  # block style: the line of the 51st level
        ("".join(" " * i + "k:\n" for i in range(60)), 51),
    ],
    ids=["flow-list", "flow-map", "block-list", "block-map"],
)
def test_yaml_nested_too_deep_is_sl701_at_the_line(district, text, line):
    district.ledger(CLEAN)
    district.write("content/funds/Test/projects/T-02.yml", text)
    (problem,) = _at(district.problems(), "SL701")
    assert problem.startswith(f"content/funds/Test/projects/T-02.yml:{line}: SL701 YAML 无法读取：列表或映射嵌套超过 50 层"), problem


def test_yaml_nested_within_the_limit_is_read(district):
    district.ledger(CLEAN)
    district.write("content/funds/Test/projects/T-02.yml", "[" * 49 + "]" * 49 + "\n")
    assert "content/funds/Test/projects/T-02.yml:1: SL702 （整个文件）：应为键值映射（sunledger explain SL702）" in district.problems()


@pytest.mark.parametrize(
    ("data", "line", "text"),
    [
        (b"id: T-02\n\x00\n", 2, "控制字符"),
        (b"id: T-02\ntitle: \xff\n", 2, "不是 UTF-8"),
        ("id: T-02\n".encode("utf-16"), 1, "UTF-16"),
    ],
    ids=["nul", "invalid-utf8", "utf16"],
)
def test_binary_yaml_is_named_at_its_line(district, data, line, text):
    district.ledger(CLEAN)
    (district.root / "content/funds/Test/projects/T-02.yml").write_bytes(data)
    (problem,) = _at(district.problems(), "SL701")
    assert problem.startswith(f"content/funds/Test/projects/T-02.yml:{line}: SL701") and text in problem, problem


# ---------------------------------------------------------------- photos


def test_a_photo_in_the_fund_folder_passes(district):
    district.write("content/funds/Test/photos/a.jpg", "")
    (district.root / "content/funds/Test/photos/a.jpg").write_bytes(_png())  # a PNG named .jpg is still a picture
    _with_photo(district, "photos/a.jpg")
    assert not [p for p in district.problems() if ": SL80" in p]


@pytest.mark.parametrize(
    ("photo", "text"),
    [
        ("photos/none.jpg", "不存在"),
        ("../../../sunledger.yml", "超出基金目录"),
        ("https://example.com/a.jpg", "不是本基金文件夹内的相对路径"),
        ("photos/link.png", "是符号链接（photos/link.png）"),
        ("photos", "不是普通文件"),
    ],
    ids=["missing", "outside", "url", "symlink", "folder"],
)
def test_a_photo_that_the_build_cannot_copy_is_sl803_at_its_line(district, photo, text):
    (district.root / "content/funds/Test/photos").mkdir(parents=True)
    (district.root / "content/funds/Test/photos/real.png").write_bytes(_png())
    os.symlink("real.png", district.root / "content/funds/Test/photos/link.png")  # even one pointing inside
    _with_photo(district, photo)
    (line,) = _at(district.problems(), "SL803")
    assert line.startswith(f"content/funds/Test/projects/T-01.yml:15: SL803 项目 T-01 的照片 {photo} {text}"), line


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        ("p.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', ".svg 格式可能带有脚本"),
        ("p.jpg", b"<html><script>alert(1)</script></html>", "文件内容不是"),
        ("p.png", b"%PDF-1.4\n", "扩展名 .png 与文件内容（PDF）不符"),
        ("p.gif", b"GIF89a\x00garbage", "图片无法识别"),
    ],
    ids=["svg", "html-as-jpg", "pdf-as-png", "broken-gif"],
)
def test_a_photo_that_could_carry_script_is_sl804(district, name, data, text):
    (district.root / "content/funds/Test").mkdir(parents=True, exist_ok=True)
    (district.root / "content/funds/Test" / name).write_bytes(data)
    _with_photo(district, name)
    (line,) = _at(district.problems(), "SL804")
    assert line.startswith(f"content/funds/Test/projects/T-01.yml:15: SL804 项目 T-01 的照片 {name} 不能公开：") and text in line, line


# ---------------------------------------------------------------- receipts


def test_a_public_svg_receipt_is_sl804_at_the_receipt_line(district):
    _with_receipt(district, ".svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert _at(district.problems(), "SL804") == [
        "ledger/funds/Test/txns/all.beancount:7: SL804 公开凭证 ledger/funds/Test/receipts/r.svg 不能公开："
        ".svg 格式可能带有脚本，只接受 JPEG、PNG、WebP、GIF、TIFF 图片或 PDF（sunledger explain SL804）"
    ]


def test_receipts_kept_private_may_be_any_file_and_public_images_pass(district):
    _with_receipt(district, ".svg", b"<svg/>", public=False)
    assert not _at(district.problems(), "SL804")
    _with_receipt(district, ".png", _png())
    assert not [p for p in district.problems() if ": SL80" in p]


def test_a_symlinked_receipt_is_sl801_at_the_receipt_line(district):
    _with_receipt(district, ".png", _png())
    os.symlink("r.png", district.root / "ledger/funds/Test/receipts/link.png")
    district.ledger(CLEAN.replace('  project: "T-01"\n', '  project: "T-01"\n  receipt: "receipts/link.png"\n'))
    assert _at(district.problems(), "SL801") == [
        "ledger/funds/Test/txns/all.beancount:7: SL801 凭证文件 ledger/funds/Test/receipts/link.png 是符号链接（receipts/link.png）：请放入文件本身"
        "（sunledger explain SL801）"
    ]
