"""QR codes as inline SVG (segno: pure Python, no image files, no network)."""

from __future__ import annotations

from html import escape

import segno


def qr_svg(url: str, label: str = "扫码查看网上公示") -> str:
    """An `<svg class="sl-qr">` encoding `url`, dark on white so it scans in dark mode too."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=2, svgclass="sl-qr", lineclass=None, omitsize=True, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}：{escape(url)}" ', 1)
