"""Private numbers however they are typed: full-width digits (a Chinese IME in
full-width mode), ideographic and no-break spaces, full-width and em dashes,
zero-width characters between digits, +86 forms. Each is caught by the rule
(with file:line, in `sunledger check` and bean-check), by the content loader,
and by the output scan of a real built site, in pages, CSV, XLSX and file names."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunledger import privacy
from sunledger.privacy import find_private, fold, mask_hint
from test_privacy import whole_text

from conftest import BIN, HEADER, MERCHANT, OPENS, PROJECT, REPO

# name -> (as typed, code, what the message shows instead)
FORMS = {
    "full-width digits": ("１３９１２３４５６０１", "SL501", "139******01"),
    "ideographic spaces": ("139\u30001234\u30005602", "SL501", "139******02"),
    "full-width hyphens": ("139－1234－5603", "SL501", "139******03"),
    "full-width +86": ("＋８６　１３９１２３４５６０４", "SL501", "861********04"),
    "+86 glued": ("+8613912345605", "SL501", "861********05"),
    "zero-width between digits": ("139\u200b1234\u200c56\u200d06", "SL501", "139******06"),
    "BOM and word joiner": ("1391234\ufeff56\u206007", "SL501", "139******07"),
    "no-break spaces": ("139\u00a01234\u00a05608", "SL501", "139******08"),
    "em dashes": ("139——1234——5609", "SL501", "139******09"),
    "dots": ("139.1234.5610", "SL501", "139******10"),
    "full-width slashes": ("139／1234／5611", "SL501", "139******11"),
    "(+86) in full-width brackets": ("（＋８６）139 1234 5612", "SL501", "861********12"),
    "ID card, full-width X": ("１１０１０５１９４９１２３１００２Ｘ", "SL502", "110*************2X"),
    "ID card, lower-case x, spaced": ("110105 19491231 002x", "SL502", "110*************2x"),
    "bank card, full-width, ideographic spaces": ("６２２２　０２１２　３４５６　７８９０　１２８", "SL503", "622**************28"),
}
FIELDS = ("payee", "narration", "txn-meta", "posting-meta")


def digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", fold(text))


@pytest.mark.parametrize("name", FORMS)
def test_find_private_finds_each_form(name):
    typed, code, hint = FORMS[name]
    found = list(find_private(f"联系人张*，{typed}。"))
    assert [c for c, _ in found] == [code]
    assert found[0][1] in typed or typed in found[0][1]  # the text as typed, so that a caller can replace it
    assert mask_hint(found[0][1]) == hint


def _ledger(forms: dict[str, tuple[str, str, str]], fields=FIELDS) -> tuple[str, dict[str, int]]:
    """One income per form, the form in payee, narration, transaction or posting metadata in turn."""
    text, lines = "", {}
    for i, (name, (typed, _, _)) in enumerate(forms.items()):
        field = fields[i % len(fields)]
        payee = f"居民{typed}" if field == "payee" else "测试社区居委会"
        narration = f"联系电话{typed}" if field == "narration" else "活动经费"
        q = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')  # noqa: E731
        block = f'2024-01-{10 + i:02d} * "{q(payee)}" "{q(narration)}"\n'
        if field == "txn-meta":
            block += f'  contact: "{q(typed)}"\n'
        block += "  Assets:Test:Bank        10.00 CNY\n  Income:Test:Community\n"
        if field == "posting-meta":
            block += f'    contact: "{q(typed)}"\n'
        lines[name] = text.count("\n") + 1 + (2 if field == "posting-meta" else 0)  # the posting's line
        text += block + "\n"
    return text, lines


def _assert_each_form(out: str, rel: str, lines: dict[str, int], forms=FORMS) -> None:
    for name, line in lines.items():
        typed, code, hint = forms[name]
        m = re.search(rf"{re.escape(rel)}:{line}: {code} .*（{re.escape(hint)}）.*", out)
        assert m, (name, out[-3000:])
        assert typed not in m.group() and digits(typed) not in m.group(), name  # the message never repeats the number


@pytest.fixture
def planted(district):
    body, lines = _ledger(FORMS)
    district.ledger(body)
    return district, lines


def test_the_rule_finds_each_form_with_file_and_line(planted):
    district, lines = planted
    _assert_each_form("\n".join(district.problems()), "ledger/funds/Test/txns/all.beancount", lines)


def test_bean_check_finds_each_form(planted):
    district, lines = planted
    done = district.bean_check()
    assert done.returncode == 1
    out = done.stdout + done.stderr
    rel = str(district.root / "ledger/funds/Test/txns/all.beancount")
    _assert_each_form(out, rel, lines)


def test_content_yaml_and_sunledger_check_find_each_form(district):
    """The same forms in partners.yml (one partner name each), through the real CLI."""
    district.ledger("")
    partners = [MERCHANT] + [
        {"id": f"T-P{i:02d}", "name": f"便民服务点 电话{typed}", "kind": "组织"} for i, (typed, _, _) in enumerate(FORMS.values())
    ]
    path = district.write_yaml("content/funds/Test/partners.yml", partners)
    text = path.read_text(encoding="utf-8").splitlines()
    lines = {name: text.index(f"- id: T-P{i:02d}") + 2 for i, name in enumerate(FORMS)}
    done = district.check()
    assert done.returncode != 0
    _assert_each_form(done.stdout + done.stderr, "content/funds/Test/partners.yml", lines)


def test_a_file_name_with_a_number_is_refused_at_the_line_that_names_it(district):
    """A receipt (ledger line) or an outcome photo (YAML line) named 13912345678.jpg."""
    district.write("ledger/funds/Test/receipts/１３９１２３４５６９８.pdf", "%PDF-1.4\n")
    district.ledger(
        """\
        2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
          project: "T-01"
          receipt: "receipts/１３９１２３４５６９８.pdf"
          receipt-public: TRUE
          Expenses:Test:Elderly    300.00 CNY
          Income:Test:Gov
        """
    )
    district.write("content/funds/Test/photos/139-1234-5697.png", "")
    path = district.project({**PROJECT, "outcomes": [{"text": "完工", "photo": "photos/139-1234-5697.png"}]})
    photo_line = next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "photo:" in line)
    out = "\n".join(district.problems())
    assert "ledger/funds/Test/txns/all.beancount:1: SL501 " in out and "139******98" in out
    assert f"content/funds/Test/projects/T-01.yml:{photo_line}: SL501 " in out and "139******97" in out


# ---------------------------------------------------------------- the output scan


def _xlsx_shared(text: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.add_worksheet().write_string(0, 0, text)
    wb.close()
    return out.getvalue()


def _xlsx_inline(path: Path, text: str) -> bytes:
    """constant_memory (a file, not in memory) writes inline strings: <c t="inlineStr"><is><t>…"""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.add_worksheet().write_string(0, 0, text)
    wb.close()
    return path.read_bytes()


def _xlsx_rich(text: str) -> bytes:
    """A rich-text cell: the number split over two runs, the second bold."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.add_worksheet().write_rich_string(0, 0, text[:4], wb.add_format({"bold": True}), text[4:])
    wb.close()
    return out.getvalue()


def test_the_scan_reads_inside_xlsx(tmp_path):
    import zipfile

    from sunledger.site.scan import scan_site

    typed = FORMS["full-width digits"][0]
    files = {
        "shared.xlsx": _xlsx_shared(f"电话{typed}"),
        "inline.xlsx": _xlsx_inline(tmp_path / "x.xlsx", f"电话{typed}"),
        "rich.xlsx": _xlsx_rich(f"电话{typed}"),
    }
    with zipfile.ZipFile(io.BytesIO(files["shared.xlsx"])) as z:
        assert typed in z.read("xl/sharedStrings.xml").decode()
    with zipfile.ZipFile(io.BytesIO(files["inline.xlsx"])) as z:
        assert "xl/sharedStrings.xml" not in z.namelist() and 'inlineStr' in z.read("xl/worksheets/sheet1.xml").decode()
    with zipfile.ZipFile(io.BytesIO(files["rich.xlsx"])) as z:
        assert typed not in z.read("xl/sharedStrings.xml").decode()  # split over two runs
    site = tmp_path / "site"
    for name, body in files.items():
        (site / "downloads").mkdir(parents=True, exist_ok=True)
        (site / "downloads" / name).write_bytes(body)
    found = scan_site(site, set())
    for name in files:
        assert f"downloads/{name}: SL501 含有手机号码（139******01）（sunledger explain SL501）" in found, found


def test_the_scan_refuses_a_number_in_a_file_name(tmp_path):
    from PIL import Image

    from sunledger.site.scan import scan_site

    names = ("funds/Test/receipts/13912345678.png", "photos/Test/１３９－１２３４－５６７９.png", "guide/139 1234 5670/a.png",
             "funds/Test/receipts/2024-01-20-3f9a0c81e7d2b4a6cbecaa530902b97ce4994398.png")
    for rel in names:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (2, 2)).save(tmp_path / rel)
    found = "\n".join(scan_site(tmp_path, set()))
    assert found.splitlines() == [
        "funds/Test/receipts/139******78.png: SL501 文件名含有手机号码（139******78），不得发布（sunledger explain SL501）",
        "guide/139******70/a.png: SL501 文件名含有手机号码（139******70），不得发布（sunledger explain SL501）",
        "photos/Test/139******79.png: SL501 文件名含有手机号码（139******79），不得发布（sunledger explain SL501）",
    ]  # a date and a digest in a name are no number


def _site_district(district) -> Path:
    """The district as a site: mkdocs.yml of the repo, the ledger WITHOUT the privacy rule,
    so that what the rule would stop reaches the output and the scan must find it."""
    shutil.copy(REPO / "mkdocs.yml", district.root / "mkdocs.yml")
    header = HEADER.replace('plugin "sunledger.rules.privacy"\n', "")
    for rel in ("ledger/main.beancount", "ledger/funds/Test/fund.beancount"):
        path = district.root / rel
        path.write_text(path.read_text(encoding="utf-8").replace(HEADER, header), encoding="utf-8")
    return district.root


def test_the_output_scan_of_a_built_site_finds_each_form(district, tmp_path):
    body, _ = _ledger(FORMS, fields=("payee", "narration"))  # metadata is not published
    body += """\
2024-01-31 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  source: "社区筹"
  receipt: "receipts/１３９１２３４５６９６.png"
  receipt-public: TRUE
  Expenses:Test:Elderly    100.00 CNY
  Assets:Test:Bank
"""
    district.ledger(body, opens=OPENS)
    from PIL import Image

    (district.root / "ledger/funds/Test/receipts").mkdir(parents=True)
    Image.new("RGB", (2, 2)).save(district.root / "ledger/funds/Test/receipts/１３９１２３４５６９６.png")
    root = _site_district(district)
    out = tmp_path / "out"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([str(BIN / "mkdocs"), "build", "-q", "-d", str(out)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0, "the scan must refuse to publish"
    assert "网站输出中发现" in done.stderr and "SL501" in done.stderr, done.stderr[-3000:]
    for typed, _, _ in FORMS.values():
        assert typed not in done.stderr and digits(typed) not in done.stderr

    from sunledger.site.scan import scan_site

    found = scan_site(out, set())
    text = "\n".join(found)
    page = "funds/Test/notices/2024-01/index.html"
    assert FORMS["full-width digits"][0] in (out / page).read_text(encoding="utf-8")  # it did reach the page
    for name, (_typed, code, hint) in FORMS.items():
        for rel in (page, "downloads/Test/transactions.csv", "downloads/Test/transactions.xlsx",
                    "downloads/Test/datapackage/transactions.csv"):
            assert f"{rel}: {code} 含有{privacy.KIND_ZH[code]}（{hint}）（sunledger explain {code}）" in found, (name, rel, text[-3000:])
    assert "funds/Test/receipts/139******96.png: SL501 文件名含有手机号码（139******96），不得发布（sunledger explain SL501）" in found


# ---------------------------------------------------------------- properties

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
SEPARATORS = ["", " ", "-", "\u3000", "－", "—", "——", "\u00a0", " - ", "\u2009", "\u200b", "\u3000\u200b"]
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"]
PREFIXES = ["", "+86", "+86 ", "＋８６", "＋８６　", "(+86)", "（＋８６）", "0086", "86-"]


@st.composite
def typed_phones(draw):
    number = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    chars = [c.translate(FULL) if draw(st.booleans()) else c for c in number]
    for i in range(1, 11):  # invisible characters anywhere between digits
        if draw(st.integers(0, 5)) == 0:
            chars[i] = draw(st.sampled_from(INVISIBLES)) + chars[i]
    if draw(st.integers(0, 4)) == 0:
        body = ".".join(("".join(chars[:3]), "".join(chars[3:7]), "".join(chars[7:])))
    else:
        a, b = draw(st.sampled_from(SEPARATORS)), draw(st.sampled_from(SEPARATORS))
        body = "".join(chars[:3]) + a + "".join(chars[3:7]) + b + "".join(chars[7:])
    prefix = draw(st.sampled_from(PREFIXES))
    before = draw(st.sampled_from(["", "电话", "联系人王*，手机：", "（", "tel: ", "\n"]))
    after = draw(st.sampled_from(["", "。", "）", " 转 ", "，金额 12,345.67 元", "\n"]))
    return before + prefix + body + after, digits(prefix) + number


@settings(max_examples=2000, deadline=None)
@given(typed_phones())
def test_any_typing_of_a_phone_number_is_found(case):
    text, number = case
    found = list(find_private(text))
    assert [c for c, _ in found] == ["SL501"], (text, found)
    assert mask_hint(found[0][1]) == number[:3] + "*" * (len(number) - 5) + number[-2:]


FORM_PIECES = [
    "１３８１２３４５６７８", "１１０１０５１９４９１２３１００２Ｘ", "６２２２０２１２３４５６７８９０１２８", "13812345678",
    "＋８６", "\u3000", "－", "—", "\u200b", "\ufeff", "\u00a0", "０", "１", "８", "Ｘ", "ｘ", "x", ".", "／", "（", "）",
    " ", "-", "0", "1", "8", "a", "，", "金额", "5,723.46", "2024-03-01", "beef", "cbecaa530902b97ce4994398", "ｆ",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(FORM_PIECES), max_size=12).map("".join))
def test_windows_find_what_folding_the_whole_text_finds(text):
    """Only windows around digit runs are folded: they must find what folding everything finds."""
    for skip in (False, True):
        got = sorted((code, fold(found)) for code, found in find_private(text, skip_digests=skip))
        assert got == sorted(whole_text(fold(text), skip_digests=skip)), (text, skip)
        for _, found in find_private(text, skip_digests=skip):
            assert found in text  # as typed


AMOUNTS = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=1000, deadline=None)
@given(AMOUNTS, AMOUNTS, st.dates(), st.dates(), st.booleans(), st.text("0123456789abcdef", min_size=40, max_size=64))
def test_amounts_dates_and_digests_are_no_number(a, b, d1, d2, full, digest):
    text = (
        f"金额 {a:,.2f} 元，{b:.2f}，{a}，合计 {a:,} 日期 {d1.isoformat()} 至 {d2.isoformat()}、"
        f"{d1:%Y.%m.%d}—{d2:%Y/%m/%d}，{d1:%Y年%m月%d日} {d1:%Y%m%d} 提交 {digest}"
    )
    if full:
        text = text.translate(FULL)
    assert list(find_private(text, skip_digests=True)) == [], text


def test_masked_names_full_width_and_invisible():
    assert privacy.is_masked("张＊") and privacy.is_masked("张﹡") and privacy.is_masked("　匿名捐款人")
    assert privacy.mask_name("张＊") == "张＊"  # already masked: kept as typed
    assert privacy.mask_name("　张三　") == "张*"
    assert privacy.mask_name("王\u200b建国") == "王**"  # a zero-width space is no letter
    assert privacy.mask_name("欧阳小明") == "欧阳**"


def test_the_site_scan_in_processes_finds_what_one_process_finds(tmp_path, monkeypatch):
    """A district's site is scanned in several processes; the findings, and the files remembered
    as clean, are the same as one process's."""
    from sunledger.site import scan

    for i in range(60):
        folder = tmp_path / "site" / f"p{i:02d}"
        folder.mkdir(parents=True)
        text = f"<p>第 {i} 页</p>" + ("<p>联系 13812345678</p>" if i in (7, 41) else "")
        (folder / "index.html").write_text(text, encoding="utf-8")
    monkeypatch.setattr(scan, "PARALLEL_FILES", 10)
    one, two = set(), set()
    alone = scan.scan_site(tmp_path / "site", set(), passed=one)
    apart = scan.scan_site(tmp_path / "site", set(), passed=two, jobs=2)
    assert sorted(alone) == sorted(apart) and len(alone) == 2
    assert one == two and len(one) == 58
    # remembered: the clean files are not read again, the two with a number still are
    assert sorted(scan.scan_site(tmp_path / "site", set(), passed=two, jobs=2)) == sorted(alone)
