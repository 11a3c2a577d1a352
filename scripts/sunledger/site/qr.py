"""QR codes as inline SVG (segno: pure Python, no image files, no network)."""

from __future__ import annotations

from html import escape

import segno

# segno otherwise scores all 8 masks per code; with one QR per monthly notice
# that was most of the time spent writing notice pages. Mask 0 is as valid as
# any; tests/site/test_qr.py decodes the codes of every demo notice with zbar.
MASK = 0


def qr_svg(url: str, label: str = "扫码查看网上公示") -> str:
    """An `<svg class="sl-qr">` encoding `url`, dark on white so it scans in dark mode too."""
    code = segno.make(url, error="m", micro=False, mask=MASK)
    svg = code.svg_inline(scale=1, border=2, svgclass="sl-qr", lineclass=None, omitsize=True, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}：{escape(url)}" ', 1)
