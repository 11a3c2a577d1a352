"""The files a ledger's `include` tree reaches, found before beancount parses any of them.

Beancount's parser is super-linear in one huge token (a 4 MB narration ~11 s,
50 MB many minutes) and reports a missing include as `<load>:0` with no line.
So every file the tree would reach is looked at first, the way beancount's
loader resolves includes (a glob relative to the including file's folder):
a file or line over `limits` is SL010 at its place, an include that matches
nothing, names a folder or a file included already is SL004 at the include
line. `sunledger check` and the site refuse to parse a tree with an SL010;
bean-check and Fava parse first and get the same errors from the content rule.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Limits
from ..errors import FundError, error, meta

# beancount's grammar: `include` starts a line, its argument is one string on that line
_INCLUDE = re.compile(rb'^include[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)


@dataclass
class Scan:
    files: list[str] = field(default_factory=list)  # every file reached, named as beancount names them
    errors: list[FundError] = field(default_factory=list)
    refused_files: set[str] = field(default_factory=set)  # beancount must not parse these (nor a tree holding one)
    missing: set[str] = field(default_factory=set)  # beancount's LoadError texts the errors above replace

    @property
    def refused(self) -> bool:
        return bool(self.refused_files)


def _too_long(path: str, data: bytes, limit: int) -> FundError | None:
    if len(data) <= limit:  # no line of it can be longer (a month's file, nearly always)
        return None
    longest = max(map(len, data.split(b"\n")), default=0)
    if longest <= limit:
        return None
    lineno = next(i for i, line in enumerate(data.split(b"\n"), 1) if len(line) > limit)
    return error(meta(path, lineno), "SL010", f"输入超过大小限制：第 {lineno} 行有 {longest:,} 字节，超过上限 {limit:,} 字节"
                 "（sunledger.yml 的 limits.line_bytes）；过长的说明请写在项目资料里")


def _unquote(raw: bytes) -> str:
    return re.sub(r"\\(.)", r"\1", raw.decode("utf-8", "replace"))


def _read(path: str, limits: Limits, named_at: dict | None, out: Scan, read: Callable[[str], bytes] | None) -> bytes | None:
    """The file's bytes, or None (and an error in `out`) when beancount must not parse it."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            kind = "文件夹" if stat.S_ISDIR(st.st_mode) else "特殊文件"
            out.errors.append(error(named_at or meta(path, 1), "SL004", f"文件加载错误：{path} 是{kind}，不是账本文件"))
            out.refused_files.add(path)  # beancount raises on a folder, and hangs on a FIFO
            return None
        out.files.append(path)
        if st.st_size > limits.file_bytes:
            out.errors.append(error(meta(path, 1), "SL010", f"输入超过大小限制：文件有 {st.st_size:,} 字节，超过上限 "
                                    f"{limits.file_bytes:,} 字节（sunledger.yml 的 limits.file_bytes）；请按月分成多个文件"))
            out.refused_files.add(path)
            return None
        if read is None:
            with open(path, "rb") as f:
                data = f.read(limits.file_bytes + 1)
        else:  # within the limit at its stat just now
            data = read(path)
    except OSError as exc:
        out.errors.append(error(named_at or meta(path, 1), "SL004", f"文件加载错误：无法读取 {path}（{exc.strerror}）"))
        out.refused_files.add(path)
        return None
    if (long := _too_long(path, data, limits.line_bytes)) is not None:
        out.errors.append(long)
        out.refused_files.add(path)
        return None
    return data


def _includes(path: str, data: bytes) -> list[tuple[dict, str, list[str]]]:
    """(line, pattern, files matched) of each include line, resolved as beancount's loader does."""
    found: list[tuple[dict, str, list[str]]] = []
    if b"include" not in data:  # a month's file: no line to look at (a 200-fund district has 13,000)
        return found
    lineno, pos = 1, 0
    for match in _INCLUDE.finditer(data):
        lineno += data.count(b"\n", pos, match.start())
        pos = match.start()
        pattern = _unquote(match.group(1))
        names = sorted(os.path.normpath(n) for n in glob.glob(os.path.join(os.path.dirname(path), pattern), recursive=True))
        found.append((meta(path, lineno), pattern, names))
    return found


def scan(top: Path | str, limits: Limits, *, deep: bool = True, read: Callable[[str], bytes] | None = None) -> Scan:
    """The tree from `top` (only `top` and what it names when not `deep`); `read` reads a file
    found within the limits (a readonce.ReadOnce for a caller that reads them again)."""
    out = Scan()
    first = os.path.normpath(os.path.abspath(top))
    queue: list[tuple[str, dict | None]] = [(first, None)]
    queued = {first}
    while queue:
        path, named_at = queue.pop(0)
        data = _read(path, limits, named_at, out, read)
        if data is None or (not deep and path != first):
            continue
        for here, pattern, names in _includes(path, data):
            if not names:
                out.missing.add(f'File glob "{pattern}" does not match any files')
                advice = "新基金还没有月份文件时，先建一个空文件（如 txns/2025-01.beancount）" if glob.has_magic(pattern) else "检查文件名和路径"
                out.errors.append(error(here, "SL004", f"文件加载错误：include \"{pattern}\" 找不到任何文件；{advice}"))
            for name in names:
                if name in queued:
                    out.missing.add(f'Duplicate filename parsed: "{name}"')
                    out.errors.append(error(here, "SL004", f"文件加载错误：{name} 已经被 include 过一次"))
                    continue
                queued.add(name)
                queue.append((name, here))
    return out
