"""SL011: every ledger file reads the books the way `ledger/main.beancount` does.

Beancount honours `option` and `plugin` lines of the top file only. A fund's
`fund.beancount` is the top file when the fund is checked alone (and when
`sunledger check` loads funds in parallel), but an included file under
`main.beancount`; any other file (a month, books copied from elsewhere) is
never the top file, so its lines are dropped without a word. Unless every file
carries main's reading options and plugins, the same books give different
errors in bean-check, Fava and `sunledger check`. So:

- a fund file's plugin lines are main's, in main's order;
- an `option` that changes how books are read may differ from main nowhere,
  and a fund file carries every such option main sets;
- a `plugin` line in a file that is never the top file is an error (it never runs).

Only options that merely label the books (`title`) may differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import error, meta
from .context import rule

_LINE = re.compile(r'^(option|plugin)\s+"((?:[^"\\]|\\.)*)"(?:\s+"((?:[^"\\]|\\.)*)")?', re.M)
# Options that name or label the books without changing what they hold.
LABELS = frozenset({"title"})
CODE = "SL011"


@dataclass(frozen=True)
class Lines:
    """The option and plugin lines of one ledger file, with their line numbers."""

    options: dict[str, tuple[str, int]]  # name -> (value, line); a repeated option keeps its last value
    plugins: list[tuple[str, str, int]]  # (module, config, line)


def read_lines(text: str) -> Lines:
    options: dict[str, tuple[str, int]] = {}
    plugins: list[tuple[str, str, int]] = []
    for m in _LINE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1) == "option":
            options[m.group(2)] = (m.group(3) or "", line)
        else:
            plugins.append((m.group(2), m.group(3) or "", line))
    return Lines(options, plugins)


def _lines_of(path: Path) -> Lines | None:
    try:
        return read_lines(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None  # an unreadable file is the loader's error (SL004), reported where it is included


def reading_options(lines: Lines) -> dict[str, str]:
    return {name: value for name, (value, _) in lines.options.items() if name not in LABELS}


def differences(main: Lines, other: Lines, *, top: bool) -> list[tuple[int, str]]:
    """(line, 说明) for each way `other` would read the books differently from `main`.

    `top`: the file is a fund's own entry file, loaded alone as the top file.
    """
    out: list[tuple[int, str]] = []
    main_options = reading_options(main)
    for name, (value, line) in other.options.items():
        if name in LABELS:
            continue
        if name not in main_options and not top:  # e.g. books kept elsewhere, included unchanged (sunledger adopt)
            shown = f'option "{name}" "{value}"'
            out.append((line, f"{shown} 写在被引用的文件里，beancount 不读它（只读最上层文件的 option），这些账会被读成另一种样子："
                              f"请把 {shown} 加进 ledger/main.beancount 和每个基金的 fund.beancount（各处读法一致；"
                              f"这一行可以原样留着，外来的账本不用改）；不需要它就删除这一行"))
        elif name not in main_options:
            out.append((line, f'option "{name}" 只能写在 ledger/main.beancount：改变读账方式的选项在其他文件里不一致，'
                              f"各处检查结果会不同；请删除这一行，或把它移到 main.beancount 并在每个基金文件里写同样的值"))
        elif main_options[name] != value:
            out.append((line, f'option "{name}" 的值 "{value}" 与 ledger/main.beancount 的 "{main_options[name]}" 不同：'
                              f"请改成与 main.beancount 一致"))
    if top:
        for name, value in main_options.items():
            if name not in other.options:
                out.append((1, f'缺少 option "{name}" "{value}"（ledger/main.beancount 有）：单独检查这个基金时账会读成另一种样子；'
                               f"请把这一行原样复制到文件开头"))
        mine = [(module, config) for module, config, _ in other.plugins]
        wanted = [(module, config) for module, config, _ in main.plugins]
        if mine != wanted:
            found = next((ln for (module, config, ln), want in zip(other.plugins, wanted) if (module, config) != want), None)
            line = found if found is not None else (other.plugins[-1][2] if other.plugins else 1)
            missing = [m for m, _ in wanted if m not in {x for x, _ in mine}]
            extra = [m for m, _ in mine if m not in {x for x, _ in wanted}]
            detail = "；".join(p for p in (
                f"缺少 {'、'.join(missing)}" if missing else "",
                f"多出 {'、'.join(extra)}" if extra else "",
                "顺序不同" if not missing and not extra else "",
            ) if p)
            out.append((line, f"plugin 行与 ledger/main.beancount 不一致（{detail}）：请把 main.beancount 的 plugin 行原样复制过来"))
    else:
        for module, _, line in other.plugins:
            out.append((line, f'plugin "{module}" 写在被引用的文件里，beancount 不会运行它：'
                              f"检查规则只在 ledger/main.beancount 和各基金的 fund.beancount 开头启用"))
    return sorted(out)


def reads_differently(main: Path, fund: Path) -> bool:
    """Would `fund`, loaded as the top file, read the books otherwise than under `main`?"""
    main_lines, fund_lines = _lines_of(main), _lines_of(fund)
    if main_lines is None or fund_lines is None:
        return True
    same_plugins = [p[:2] for p in main_lines.plugins] == [p[:2] for p in fund_lines.plugins]
    return not same_plugins or reading_options(main_lines) != reading_options(fund_lines)


def is_fund_file(path: Path, root: Path) -> bool:
    return path.name == "fund.beancount" and path.parent.parent == root / "ledger" / "funds"


def check_files(root: Path, files: list[str]) -> list:
    main_path = root / "ledger" / "main.beancount"
    main = _lines_of(main_path)
    if main is None:
        return []
    errors = []
    for name in files:
        path = Path(name)
        if path.suffix != ".beancount" or path.resolve() == main_path.resolve():
            continue
        lines = _lines_of(path)
        if lines is None:
            continue
        for line, text in differences(main, lines, top=is_fund_file(path.resolve(), root.resolve())):
            errors.append(error(meta(str(path), line), CODE, text))
    return errors


def loaded_files(options_map: dict) -> list[str]:
    """The top file and every file it included, in load order."""
    files = [options_map.get("filename") or "", *options_map.get("include", [])]
    return list(dict.fromkeys(f for f in files if f and not f.startswith("<")))


def options(entries: list, options_map: dict, config: str | None = None):
    # The files come from options_map, which the shared rule() guard does not hand on.
    return rule(lambda _entries, ctx: check_files(ctx.root, loaded_files(options_map)))(entries, options_map, config)


__plugins__ = ("options",)
