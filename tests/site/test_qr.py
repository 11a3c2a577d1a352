"""Every demo notice's QR code (one fixed mask, see site/qr.py) decodes with zbar to its own address."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import segno

from conftest import REPO

pytestmark = [
    pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated"),
    pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg not installed"),
]


def test_every_notice_code_decodes(tmp_path):
    from sunledger.district import load_district
    from sunledger.site.pages import notice_url
    from sunledger.site.qr import MASK
    from sunledger.views.notice import notice_months

    district = load_district(REPO)
    urls = [f"https://sunledger.example.org/{notice_url(code, month)}"
            for code in sorted(district.books) for month in notice_months(district, code)]
    assert len(urls) >= 24
    files = []
    for i, url in enumerate(urls):
        path = tmp_path / f"{i:04d}.png"
        segno.make(url, error="m", micro=False, mask=MASK).save(path, scale=4, border=4)
        files.append(str(path))
    out = subprocess.run(["zbarimg", "-q", "--raw", *files], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == urls
