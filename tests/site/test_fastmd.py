"""site/fastmd.py writes what Python-Markdown (with mkdocs.yml's extensions) writes, or declines."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config

from sunledger.site.fastmd import FastMarkdown

from conftest import REPO

CONFIG = load_config(str(REPO / "mkdocs.yml"))
FAST = FastMarkdown.from_config(CONFIG)


def python_markdown(text: str) -> tuple[str, list[dict]]:
    md = markdown.Markdown(extensions=CONFIG.markdown_extensions, extension_configs=CONFIG.mdx_configs)
    return md.convert(text), md.toc_tokens


words = st.sampled_from(["预算和支出", "居民的需求", "成效", "2026年", "邻里集市（2026年）", "Café", "a b", "A&B", "x*y",
                         "1. 第一", "- 列表", "`code`", "[链接](x)", "#", "：", "“引号”", "100%", "a_b", "SLBLOCK00001",
                         " ", "  ", "\t", "{: .x}", "<b>", "&amp;", "é", "。", "!!! note", "| a |", "===", "---"])
line = st.lists(words, min_size=1, max_size=4).map("".join)
chunk = st.one_of(
    st.tuples(st.sampled_from(["# ", "## ", "### ", "#### "]), line).map("".join),
    st.just("SLBLOCK00002"),
    st.lists(line, min_size=1, max_size=3).map("\n".join),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(chunk, min_size=1, max_size=8).map("\n\n".join))
def test_fast_html_is_python_markdowns_html(text):
    done = FAST.render(text)
    if done is None:
        return  # declined: the page takes Python-Markdown's road
    html, tokens, _ = done
    expected_html, expected_tokens = python_markdown(text)
    assert html == expected_html
    assert tokens == expected_tokens


def test_plain_page_is_rendered_and_markdown_is_declined():
    assert FAST is not None
    html, tokens, title = FAST.render("# 项目\n\nSLBLOCK00000\n\n## 成效\n\n## 成效\n\n社区需求清单")
    assert 'id="成效_1"' in html and title == "项目"
    assert [t["id"] for t in tokens[0]["children"]] == ["成效", "成效_1"]
    assert FAST.render("# 项目\n\n**重点**") is None
    assert FAST.render("# 项目\n\n[链接](../x/)") is None
