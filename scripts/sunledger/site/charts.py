"""Small SVG charts drawn at build time.

Text stays `<text>` so the reader's own font draws Chinese (nothing to ship,
nothing to download). Every chart is 360 units wide, the width of a small
phone, so one unit is one CSS pixel there and text never shrinks below its
size; on wider screens CSS caps the figure width. Each chart carries a
`<title>` and a `<desc>` for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from .fmt import money, short_money
from .text import html_text as escape  # escaped and on one line: a chart sits in an HTML block

WIDTH = 360
# Okabe-Ito based, readable for colour-blind readers, dark enough for white text.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c6d31", "#7f7f7f")


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _svg(height: float, title: str, desc: str, body: list[str], cls: str) -> str:
    return (
        f'<svg class="sl-chart {cls}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _nice_step(span: float, ticks: int = 4) -> float:
    if span <= 0:
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _month_label(month: str) -> str:
    y, m = month.split("-")
    return f"{y[2:]}年{int(m)}月"


def _truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def balance_chart(series: Sequence[tuple[str, Decimal]], title: str = "每月月末余额") -> str:
    """Month-end balance as a line over an area, one dot per month."""
    if not series:
        return ""
    height, left, right, top, bottom = 200.0, 44.0, 8.0, 12.0, 28.0
    values = [float(v) for _, v in series]
    lo, hi = min(0.0, min(values)), max(0.0, max(values))
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step or step
    pw, ph = WIDTH - left - right, height - top - bottom
    n = len(series)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph * (hi - v) / (hi - lo)

    body = []
    tick = lo
    while tick <= hi + step / 2:
        ty = y(tick)
        body.append(f'<line class="sl-grid" x1="{left}" x2="{WIDTH - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        body.append(f'<text class="sl-axis" x="{left - 4}" y="{ty + 4:.1f}" text-anchor="end">{short_money(tick)}</text>')
        tick += step
    every = max(1, math.ceil(n / 5))
    for i, (month, _) in enumerate(series):
        if i % every == 0 or i == n - 1 and n - 1 - (n - 1) // every * every >= every / 2:
            body.append(
                f'<text class="sl-axis" x="{x(i):.1f}" y="{height - 8}" text-anchor="middle">{_month_label(month)}</text>'
            )
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    base = y(max(lo, 0.0))
    body.append(f'<polygon class="sl-area" points="{x(0):.1f},{base:.1f} {points} {x(n - 1):.1f},{base:.1f}"/>')
    body.append(f'<polyline class="sl-line" points="{points}"/>')
    for i, (month, v) in enumerate(series):
        body.append(
            f'<circle class="sl-dot" cx="{x(i):.1f}" cy="{y(float(v)):.1f}" r="2.5">'
            f"<title>{_month_label(month)}：{money(v)} 元</title></circle>"
        )
    first, last = series[0], series[-1]
    desc = f"从{_month_label(first[0])}的 {money(first[1])} 元到{_month_label(last[0])}的 {money(last[1])} 元"
    return _svg(height, title, desc, body, "sl-chart-line")


def bar_chart(items: Sequence[tuple[str, Decimal]], title: str, links: dict[str, str] | None = None) -> str:
    """Horizontal bars: the label and amount on one line, the bar under it."""
    items = [(label, value) for label, value in items if value]
    if not items:
        return ""
    row, pad = 38.0, 4.0
    height = row * len(items) + pad
    peak = max(float(max(v, Decimal(0))) for _, v in items) or 1.0
    body = []
    for i, (label, value) in enumerate(items):
        top = pad + i * row
        w = max(float(value), 0.0) / peak * WIDTH
        text = f'<text class="sl-label" x="0" y="{top + 14:.0f}">{escape(_truncate(label, 14))}</text>'
        if links and label in links:
            text = f'<a href="{escape(links[label])}">{text}</a>'
        body.append(text)
        body.append(f'<text class="sl-value" x="{WIDTH}" y="{top + 14:.0f}" text-anchor="end">{money(value)}</text>')
        body.append(
            f'<rect x="0" y="{top + 20:.0f}" width="{max(w, 1.5):.1f}" height="10" rx="2" fill="{color(i)}">'
            f"<title>{escape(label)}：{money(value)} 元</title></rect>"
        )
    desc = "；".join(f"{label} {money(v)} 元" for label, v in items)
    return _svg(height, title, desc, body, "sl-chart-bars")


def progress_bar(spent: Decimal, budget: Decimal, title: str = "预算执行") -> str:
    """Budget as the track, spending as the fill (red when over budget)."""
    height = 44.0
    share = float(spent / budget) if budget else (1.0 if spent else 0.0)
    fill = min(max(share, 0.0), 1.0) * WIDTH
    over = " sl-over" if budget and spent > budget else ""
    pct = f"{share * 100:.0f}%"
    body = [
        f'<text class="sl-label" x="0" y="14">已支出 {money(spent)}</text>',
        f'<text class="sl-value" x="{WIDTH}" y="14" text-anchor="end">预算 {money(budget)}</text>',
        f'<rect class="sl-track" x="0" y="22" width="{WIDTH}" height="16" rx="3"/>',
        f'<rect class="sl-fill{over}" x="0" y="22" width="{fill:.1f}" height="16" rx="3"/>',
        f'<text class="sl-pct" x="{min(max(fill - 4, 34), WIDTH - 4):.1f}" y="34" text-anchor="end">{pct}</text>',
    ]
    return _svg(height, title, f"预算 {money(budget)} 元，已支出 {money(spent)} 元，占 {pct}", body, "sl-chart-progress")


def flow_chart(
    flows: dict[tuple[str, str], Decimal],
    source_order: Sequence[str],
    project_titles: dict[str, str],
    top: int = 7,
    title: str = "资金流向：来源 → 项目",
) -> str:
    """Sankey-style bands from each source (left) to each project (right).

    The largest `top` projects get their own node, the rest share one
    (其他项目) so the chart stays readable on a phone.
    """
    flows = {k: v for k, v in flows.items() if v > 0}
    if not flows:
        return ""
    per_project: dict[str, Decimal] = {}
    for (_, pid), amount in flows.items():
        per_project[pid] = per_project.get(pid, Decimal(0)) + amount
    ranked = sorted(per_project, key=lambda p: (-per_project[p], p))
    shown = ranked[:top] if len(ranked) <= top + 1 else ranked[:top]
    other = "其他项目"

    def target(pid: str) -> str:
        return pid if pid in shown else other

    merged: dict[tuple[str, str], Decimal] = {}
    for (src, pid), amount in flows.items():
        key = (src, target(pid))
        merged[key] = merged.get(key, Decimal(0)) + amount
    sources = [s for s in source_order if any(k[0] == s for k in merged)]
    sources += sorted({k[0] for k in merged} - set(sources))
    targets = shown + ([other] if len(ranked) > len(shown) else [])
    total = float(sum(merged.values()))
    gap, top_pad, slot_min = 6.0, 4.0, 28.0
    scale = 220.0 / total  # the busier column is about 220 units tall before labels get room
    xs, xt, node_w = 104.0, 236.0, 10.0

    def stack(names: list[str], amount_of) -> dict[str, list[float]]:
        """Nodes top to bottom; each gets at least room for its two label lines."""
        out, y = {}, top_pad
        for name in names:
            h = max(float(amount_of(name)) * scale, 2.0)
            out[name] = [y, h, y]  # top, height, cursor for bands
            y += max(h, slot_min) + gap
        return out

    src_amt = {s: sum(v for (a, _), v in merged.items() if a == s) for s in sources}
    tgt_amt = {t: sum(v for (_, b), v in merged.items() if b == t) for t in targets}
    left, right = stack(sources, src_amt.get), stack(targets, tgt_amt.get)
    height = max(max(y + max(h, slot_min) for y, h, _ in col.values()) for col in (left, right)) + top_pad
    index = {s: i for i, s in enumerate(sources)}
    body = []
    for src in sources:
        for tgt in targets:
            amount = merged.get((src, tgt))
            if not amount:
                continue
            h = max(float(amount) * scale, 1.0)
            y0, y1 = left[src][2], right[tgt][2]
            left[src][2] += h
            right[tgt][2] += h
            mid = (xs + node_w + xt) / 2
            d = (
                f"M{xs + node_w:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {xt:.1f},{y1:.1f} "
                f"L{xt:.1f},{y1 + h:.1f} C{mid:.1f},{y1 + h:.1f} {mid:.1f},{y0 + h:.1f} {xs + node_w:.1f},{y0 + h:.1f} Z"
            )
            name = project_titles.get(tgt, tgt)
            body.append(
                f'<path class="sl-band" d="{d}" fill="{color(index[src])}"><title>{escape(src)} → {escape(name)}：'
                f"{money(amount)} 元</title></path>"
            )
    for src in sources:
        y, h, _ = left[src]
        body.append(f'<rect x="{xs:.1f}" y="{y:.1f}" width="{node_w}" height="{h:.1f}" fill="{color(index[src])}"/>')
        body.append(
            f'<text class="sl-label" x="{xs - 4:.1f}" y="{y + 11:.1f}" text-anchor="end">{escape(_truncate(src, 6))}</text>'
            f'<text class="sl-axis" x="{xs - 4:.1f}" y="{y + 24:.1f}" text-anchor="end">{short_money(src_amt[src])}</text>'
        )
    for tgt in targets:
        y, h, _ = right[tgt]
        name = project_titles.get(tgt, tgt)
        body.append(f'<rect class="sl-node" x="{xt:.1f}" y="{y:.1f}" width="{node_w}" height="{h:.1f}"/>')
        body.append(
            f'<text class="sl-label" x="{xt + node_w + 4:.1f}" y="{y + 11:.1f}">{escape(_truncate(name, 7))}</text>'
            f'<text class="sl-axis" x="{xt + node_w + 4:.1f}" y="{y + 24:.1f}">{short_money(tgt_amt[tgt])}</text>'
        )
    desc = "；".join(
        f"{s} → {project_titles.get(t, t)} {money(merged[(s, t)])} 元" for s in sources for t in targets if (s, t) in merged
    )
    return _svg(height, title, desc, body, "sl-chart-flow")


def pair_chart(items: Sequence[tuple[str, Decimal, Decimal]], names: tuple[str, str], title: str) -> str:
    """Two bars per row (e.g. due and paid), the second drawn under the first."""
    if not items:
        return ""
    row, pad = 50.0, 4.0
    height = row * len(items) + pad + 18
    peak = max(float(max(a, b)) for _, a, b in items) or 1.0
    body = [
        f'<rect x="0" y="4" width="10" height="10" fill="{color(0)}"/><text class="sl-axis" x="14" y="13">{escape(names[0])}</text>',
        f'<rect x="70" y="4" width="10" height="10" fill="{color(4)}"/><text class="sl-axis" x="84" y="13">{escape(names[1])}</text>',
    ]
    for i, (label, a, b) in enumerate(items):
        top = pad + 18 + i * row
        body.append(f'<text class="sl-label" x="0" y="{top + 14:.0f}">{escape(_truncate(label, 14))}</text>')
        for j, (value, c) in enumerate(((a, color(0)), (b, color(4)))):
            y = top + 20 + j * 12
            w = max(float(value), 0.0) / peak * (WIDTH - 80)
            body.append(
                f'<rect x="0" y="{y:.0f}" width="{max(w, 1.5):.1f}" height="10" rx="2" fill="{c}">'
                f"<title>{escape(label)} {escape(names[j])}：{money(value)} 元</title></rect>"
                f'<text class="sl-axis" x="{max(w, 1.5) + 4:.1f}" y="{y + 9:.0f}">{money(value)}</text>'
            )
    desc = "；".join(f"{label} {names[0]} {money(a)} 元，{names[1]} {money(b)} 元" for label, a, b in items)
    return _svg(height, title, desc, body, "sl-chart-pairs")
