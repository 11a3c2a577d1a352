"""Small charts drawn at build time: HTML text, SVG only for the shapes.

Why not one SVG with a viewBox: the browser scales a viewBox to the column, so
its text shrinks with it (a 360-unit chart in a 328 px phone column drew 11 px
labels at 13 px) and never grows when the reader enlarges her text; a label
that does not fit is cut. So every word and number of a chart is HTML (or
SVG `<text>` in an SVG *without* a viewBox, where one unit is one CSS pixel):
it wraps, it is at least the size of the text around it, and it grows with the
reader's text size. Shapes are placed in percentages of the column (bars,
points, grid lines) and heights are in `em` (sunledger.css), so a chart fills
its column at any width and grows with the text. Only the area under the
balance line is a stretched viewBox (a polygon cannot be placed in
percentages) and carries no text.

The site's Content-Security-Policy refuses `style` attributes: widths are SVG
attributes (`width="42%"`), never inline styles. Every chart sits in a
`<figure>` with a caption and, on the page, its data table (templates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from .fmt import money, short_money
from .text import html_text as escape  # escaped and on one line: a chart sits in an HTML block

# Okabe-Ito based, readable for colour-blind readers, dark enough for white text.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c6d31", "#7f7f7f")


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _pct(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "%"


def _bar(parts: Sequence[tuple[float, str]], cls: str = "", track: bool = False) -> str:
    """One bar: segments (share of the column 0..1, colour) side by side, drawn from the left,
    over a grey track the width of the column when `track`."""
    x, rects = 0.0, ['<rect class="sl-track" width="100%" height="100%" rx="3"/>'] if track else []
    for share, fill in parts:
        w = max(share, 0.0) * 100
        if w <= 0:
            continue
        rects.append(f'<rect x="{_pct(x)}" width="{_pct(max(w, 0.4))}" height="100%" rx="2" fill="{fill}"/>')
        x += w
    return f'<svg class="sl-bar{" " + cls if cls else ""}" aria-hidden="true" focusable="false">{"".join(rects)}</svg>'


def _label(label: str, links: dict[str, str] | None) -> str:
    text = escape(label)
    if links and label in links:
        return f'<a class="sl-bar-label" href="{escape(links[label])}">{text}</a>'
    return f'<span class="sl-bar-label">{text}</span>'


def bar_chart(items: Sequence[tuple[str, Decimal]], title: str, links: dict[str, str] | None = None) -> str:
    """Horizontal bars: the label (whole, wrapping) and the amount on one line, the bar under it."""
    items = [(label, value) for label, value in items if value]
    if not items:
        return ""
    peak = max(float(max(v, Decimal(0))) for _, v in items) or 1.0
    rows = [
        f'<li>{_label(label, links)}<span class="sl-bar-value">{money(value)}</span>'
        f'{_bar([(float(max(value, Decimal(0))) / peak, color(i))])}</li>'
        for i, (label, value) in enumerate(items)
    ]
    return f'<ul class="sl-chart sl-bars" aria-label="{escape(title)}">{"".join(rows)}</ul>'


def progress_bar(spent: Decimal, budget: Decimal, title: str = "预算执行") -> str:
    """Budget as the track, spending as the fill (red when over budget)."""
    share = float(spent / budget) if budget else (1.0 if spent else 0.0)
    over = bool(budget and spent > budget)
    pct = f"{share * 100:.0f}%"
    fill = "var(--sl-bad)" if over else color(0)
    bar = _bar([(min(max(share, 0.0), 1.0), fill)], "sl-bar-thick", track=True)
    return (
        f'<div class="sl-chart sl-progress{" sl-over" if over else ""}" role="group" aria-label="{escape(title)}">'
        f'<div class="sl-bar-line"><span class="sl-bar-label">已支出 {money(spent)}（{pct}）</span>'
        f'<span class="sl-bar-value">预算 {money(budget)}</span></div>{bar}</div>'
    )


def pair_chart(items: Sequence[tuple[str, Decimal, Decimal]], names: tuple[str, str], title: str) -> str:
    """Two bars per row (e.g. due and paid), each with its amount written beside its name."""
    if not items:
        return ""
    peak = max(float(max(a, b)) for _, a, b in items) or 1.0
    key = "".join(
        f'<li>{_bar([(1.0, color(c))], "sl-swatch")}{escape(name)}</li>' for name, c in zip(names, (0, 4))
    )
    rows = []
    for label, a, b in items:
        pair = "".join(
            f'<span class="sl-pair-name">{escape(names[j])} {money(v)}</span>{_bar([(float(max(v, Decimal(0))) / peak, color(c))])}'
            for j, (v, c) in enumerate(((a, 0), (b, 4)))
        )
        rows.append(f'<li><span class="sl-bar-label">{escape(label)}</span>{pair}</li>')
    return (
        f'<div class="sl-chart sl-pairs" role="group" aria-label="{escape(title)}"><ul class="sl-key">{key}</ul>'
        f'<ul class="sl-bars">{"".join(rows)}</ul></div>'
    )


def flow_chart(
    flows: dict[tuple[str, str], Decimal],
    source_order: Sequence[str],
    project_titles: dict[str, str],
    top: int = 7,
    title: str = "资金流向：来源 → 项目",
    links: dict[str, str] | None = None,
) -> str:
    """Where each source's money went: one row per project, its bar split by source.

    A Sankey diagram was drawn here first; in a 328 px column its project
    labels had room for about seven characters and two projects both read
    "“社区助困 …". Rows keep every title whole (it wraps), the bar of each row
    is as long as the project's spending, its colours are the sources, and the
    amounts per source are written under it. The largest `top` projects get
    their own row, the rest share one (其他项目).
    """
    flows = {k: v for k, v in flows.items() if v > 0}
    if not flows:
        return ""
    per_project: dict[str, Decimal] = {}
    for (_, pid), amount in flows.items():
        per_project[pid] = per_project.get(pid, Decimal(0)) + amount
    ranked = sorted(per_project, key=lambda p: (-per_project[p], p))
    shown = ranked if len(ranked) <= top + 1 else ranked[:top]  # one project more is shown, not folded into 其他
    other = "其他项目"
    merged: dict[tuple[str, str], Decimal] = {}
    for (src, pid), amount in flows.items():
        key = (src, pid if pid in shown else other)
        merged[key] = merged.get(key, Decimal(0)) + amount
    sources = [s for s in source_order if any(k[0] == s for k in merged)]
    sources += sorted({k[0] for k in merged} - set(sources))
    targets = shown + ([other] if len(ranked) > len(shown) else [])
    index = {s: i for i, s in enumerate(sources)}
    total_of = {t: sum((v for (_, b), v in merged.items() if b == t), Decimal(0)) for t in targets}
    peak = float(max(total_of.values())) or 1.0
    src_total = {s: sum((v for (a, _), v in merged.items() if a == s), Decimal(0)) for s in sources}
    legend = "".join(
        f'<li>{_bar([(1.0, color(index[s]))], "sl-swatch")}{escape(s)} <span class="sl-muted">{short_money(src_total[s])}</span></li>'
        for s in sources
    )
    rows = []
    for t in targets:
        parts = [(s, merged[(s, t)]) for s in sources if (s, t) in merged]
        name = project_titles.get(t, t)
        label = _label(name, {name: links[t]} if links and t in links else None)
        split = " · ".join(f"{escape(s)} {money(v)}" for s, v in parts)
        rows.append(
            f'<li>{label}<span class="sl-bar-value">{money(total_of[t])}</span>'
            f'{_bar([(float(v) / peak, color(index[s])) for s, v in parts])}'
            f'<span class="sl-flow-split">{split}</span></li>'
        )
    return (
        f'<div class="sl-chart sl-flow" role="group" aria-label="{escape(title)}"><ul class="sl-key">{legend}</ul>'
        f'<ol class="sl-bars">{"".join(rows)}</ol></div>'
    )


def flow_rows(flows: dict[tuple[str, str], Decimal], source_order: Sequence[str], project_titles: dict[str, str]) -> list[tuple[str, str, Decimal]]:
    """The flow chart's data table: (source, project, amount), every project, sources in their order."""
    rank = {s: i for i, s in enumerate(source_order)}
    items = [(s, p, v) for (s, p), v in flows.items() if v > 0]
    items.sort(key=lambda x: (rank.get(x[0], len(rank)), x[0], -x[2], x[1]))
    return [(s, project_titles.get(p, p) or "（未指定项目）", v) for s, p, v in items]


# ------------------------------------------------------------ the balance line

TOP, BOTTOM = 9.0, 84.0  # plot band in % of the chart's height (sunledger.css: 13em): labels above and below
LEFT, RIGHT = 2.0, 98.0  # first and last month, in % of the width: a dot is never cut in half


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


def balance_chart(series: Sequence[tuple[str, Decimal]], title: str = "每月月末余额") -> str:
    """Month-end balance as a line over an area, one dot per month.

    An SVG without a viewBox: x and y in percentages of the chart, text in
    `em`, so the chart fills its column and its labels are text-sized.
    """
    if not series:
        return ""
    values = [float(v) for _, v in series]
    lo, hi = min(0.0, *values), max(0.0, *values)
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step or step
    n = len(series)

    def x(i: int) -> float:
        return LEFT + ((RIGHT - LEFT) * i / (n - 1) if n > 1 else (RIGHT - LEFT) / 2)

    def y(v: float) -> float:
        return TOP + (BOTTOM - TOP) * (hi - v) / (hi - lo)

    body = []
    tick = lo
    while tick <= hi + step / 2:
        ty = _pct(y(tick))
        body.append(f'<line class="sl-grid" x1="0" x2="100%" y1="{ty}" y2="{ty}"/>')
        body.append(f'<text class="sl-axis" x="0" y="{ty}" dy="-.3em">{short_money(tick)}</text>')
        tick += step
    # The area, stretched over the plot band: a polygon cannot be placed in percentages.
    scale_x = lambda i: (x(i) - LEFT) / (RIGHT - LEFT) * 1000  # noqa: E731
    scale_y = lambda v: (y(v) - TOP) / (BOTTOM - TOP) * 1000  # noqa: E731
    base = scale_y(max(lo, 0.0))
    pts = " ".join(f"{scale_x(i):.1f},{scale_y(v):.1f}" for i, v in enumerate(values))
    body.append(
        f'<svg x="{_pct(LEFT)}" y="{_pct(TOP)}" width="{_pct(RIGHT - LEFT)}" height="{_pct(BOTTOM - TOP)}" '
        f'viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">'
        f'<polygon class="sl-area" points="{scale_x(0):.1f},{base:.1f} {pts} {scale_x(n - 1):.1f},{base:.1f}"/></svg>'
    )
    for i in range(n - 1):
        body.append(
            f'<line class="sl-line" x1="{_pct(x(i))}" y1="{_pct(y(values[i]))}" x2="{_pct(x(i + 1))}" y2="{_pct(y(values[i + 1]))}"/>'
        )
    for i, (month, v) in enumerate(series):
        body.append(
            f'<circle class="sl-dot" cx="{_pct(x(i))}" cy="{_pct(y(float(v)))}" r="3">'
            f"<title>{_month_label(month)}：{money(v)} 元</title></circle>"
        )
    every = max(1, math.ceil(n / 4))
    shown = [i for i in range(n) if i % every == 0]
    if n - 1 not in shown:
        if shown and (n - 1 - shown[-1]) < every * 0.75:
            shown.pop()  # too close to the last month: its label would overlap
        shown.append(n - 1)
    for i in shown:
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        at = "0" if anchor == "start" else "100%" if anchor == "end" else _pct(x(i))
        body.append(f'<text class="sl-axis" x="{at}" y="100%" dy="-.35em" text-anchor="{anchor}">{_month_label(series[i][0])}</text>')
    first, last = series[0], series[-1]
    desc = f"从{_month_label(first[0])}的 {money(first[1])} 元到{_month_label(last[0])}的 {money(last[1])} 元"
    return (
        f'<svg class="sl-chart sl-chart-line" role="img" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )
