"""Contact lines and the placeholder site_url (issue 12, points 4 and 6).

A public phone number on every page is an office's 监督电话; the privacy checks (content and the
built site) refuse mobile numbers, so a mobile that is an office's published duty phone is declared
`public: true` in its contact line, and exactly that number is let through. A landline such as
0635-0123456 is no mobile number (SL501 matches 11-digit 1[3-9]… numbers) and needs nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN, copy_demo

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
DUTY = "139 0635 0000"  # made up; declared public below
OTHER = "13812340000"


def add_contact(root: Path, code: str, phones: list[dict]) -> Path:
    path = root / "content/funds" / code / "fund.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["contact"] = {"phones": phones, "address": "测试地址"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def content_errors(root: Path) -> list[str]:
    from sunledger.content.load import load_content

    return [f"{e.source['filename']}:{e.source['lineno']}: {e.message}" for e in load_content(root).errors]


def test_landlines_and_hotlines_are_no_mobile_numbers():
    from sunledger.privacy import find_private

    for number in ("0635-0123456", "0635-12345678", "029-88886666", "12345", "(0830)1234567", "４００-８８８-１２３４"):
        assert list(find_private(f"监督电话：{number}")) == [], number
    assert [c for c, _ in find_private(f"电话 {DUTY}")] == ["SL501"]


def test_a_mobile_contact_must_be_declared_public(tmp_path):
    root = copy_demo(tmp_path / "d")
    path = add_contact(root, "Guangming", [{"label": "值班手机", "number": DUTY}])
    errors = content_errors(root)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "0635 0000" in text)
    assert [e for e in errors if "SL501" in e] == [e for e in errors if e.startswith(f"{path}:{line}:")]
    assert any("public: true" in e for e in errors), errors
    add_contact(root, "Guangming", [{"label": "值班手机", "number": DUTY, "public": True}])
    assert [e for e in content_errors(root) if "SL501" in e] == []
    # declared public in the contact line, still refused anywhere else in the same file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["description"] = f"书记手机 {OTHER}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [e for e in content_errors(root) if "SL501" in e] != []


def test_the_site_scan_lets_through_exactly_the_declared_numbers(tmp_path):
    from sunledger.content.models import number_key
    from sunledger.site.scan import scan_site

    (tmp_path / "index.html").write_text(f'<a href="tel:+86{DUTY.replace(" ", "")}">{DUTY}</a> 书记 {OTHER}', encoding="utf-8")
    public = frozenset({number_key(DUTY)})
    found = scan_site(tmp_path, set(), public)
    assert len(found) == 1 and "138" in found[0] and "SL501" in found[0], found
    assert len(scan_site(tmp_path, set())) == 3  # without the declaration: both forms of the duty phone too


def test_a_declared_duty_phone_is_published_on_its_funds_pages(tmp_path):
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    add_contact(root, "Tuanjiebeilu", [{"label": "社区值班手机", "number": DUTY, "public": True}])
    site = tmp_path / "site"
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(site)], cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    fund = (site / "funds/Tuanjiebeilu/index.html").read_text(encoding="utf-8")
    assert DUTY in fund and 'href="tel:13906350000"' in fund
    assert DUTY not in (site / "funds/Guangming/index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- site_url


@pytest.mark.parametrize("url", ["https://example.org/", "https://sunledger.example.org/", "http://EXAMPLE.com/x/",
                                 "https://demo.example/", "https://site.invalid/", "", "example.org", "ftp://a.b/"])
def test_placeholder_site_urls_are_refused(url):
    from sunledger.site.siteurl import problem

    why = problem(url)
    assert why and "site_url" in why and "https://" in why


@pytest.mark.parametrize("url", ["https://demo.sunledger.cn/", "https://jinshui.github.io/zhangben/", "http://127.0.0.1:8000/",
                                 "https://example.org.cn/"])
def test_real_looking_site_urls_pass(url):
    from sunledger.site.siteurl import problem

    assert problem(url) is None


def test_the_build_refuses_the_placeholder_site_url(tmp_path):
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", "site_url: https://sunledger.example.org/", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    done = subprocess.run([str(BIN / "mkdocs"), "build", "-q", "-d", str(tmp_path / "site")], cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "site_url 还是示例网址 https://sunledger.example.org/" in done.stderr and "mkdocs.yml" in done.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_init_needs_a_real_site_url(tmp_path):
    run = lambda *a: subprocess.run([str(BIN / "sunledger"), "init", *a], cwd=tmp_path, capture_output=True, text=True, timeout=60)  # noqa: E731
    missing = run(str(tmp_path / "a"), "--name", "金水区")
    assert missing.returncode == 2 and "--site-url" in missing.stderr
    placeholder = run(str(tmp_path / "b"), "--name", "金水区", "--site-url", "https://example.org/")
    assert placeholder.returncode == 2 and "示例网址" in placeholder.stderr and "--site-url" in placeholder.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    ok = run(str(tmp_path / "c"), "--name", "金水区", "--site-url", "https://jinshui.github.io/zhangben")
    assert ok.returncode == 0, ok.stderr
    assert "site_url: \"https://jinshui.github.io/zhangben/\"" in (tmp_path / "c/mkdocs.yml").read_text(encoding="utf-8")
