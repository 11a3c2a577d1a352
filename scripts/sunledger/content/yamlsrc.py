"""YAML that remembers where each value came from.

One libyaml parse gives both the node tree (with line marks) and the Python
data, so a pydantic error path like ("funding", "政府拨") is turned back into
the line of the file the treasurer has to fix.

Hostile files are refused before libyaml builds anything: a file over
`limits.yaml_bytes` is not read (SL010), and nesting deeper than
`limits.yaml_depth` is found in the event stream, which libyaml produces
without recursing, before the composer, which recurses in C and dies with a
segmentation fault on ~50,000 `[`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import Limits

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDoc:
    path: Path
    data: Any
    node: Any

    def line(self, loc: tuple[Any, ...] = ()) -> int:
        """Line (1-based) of the value at `loc`, or of its nearest parent found."""
        node = self.node
        if node is None:
            return 1
        best = node.start_mark.line + 1
        for key in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if str(k.value) == str(key):
                        child, best = v, k.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if 0 <= key < len(node.value):
                    child = node.value[key]
                    best = child.start_mark.line + 1
            if child is None:
                return best
            node = child
        return best


    def scalars(self) -> Iterator[tuple[int, str]]:
        """Every scalar with its line, for scanning text wherever it sits."""
        stack = [self.node] if self.node is not None else []
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:  # aliases may make the tree a graph
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                yield node.start_mark.line + 1, str(node.value)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    stack.extend((k, v))


class YamlSyntaxError(Exception):
    def __init__(self, path: Path, line: int, problem: str, code: str = "SL701"):
        super().__init__(problem)
        self.path, self.line, self.problem, self.code = path, line, problem, code


def _bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, never more than `limit` read (a symlink to /dev/zero, a FIFO, a file still growing)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise YamlSyntaxError(path, 1, "不是普通文件")
        size = st.st_size
        raw = b""
        if size <= limit:
            with open(path, "rb") as f:
                raw = f.read(limit + 1)
            size = len(raw)
    except OSError as exc:
        raise YamlSyntaxError(path, 1, f"无法读取文件（{exc.strerror}）") from exc
    if size > limit:
        raise YamlSyntaxError(path, 1, f"文件有 {size:,} 字节，超过上限 {limit:,} 字节（sunledger.yml 的 limits.yaml_bytes）", "SL010")
    return raw


def _text(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlSyntaxError(path, 1, "文件是 UTF-16 编码：请另存为 UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlSyntaxError(path, line, f"文件不是 UTF-8 编码（{exc.reason}）：请另存为 UTF-8") from exc


_BLOCK_ENTRY = re.compile(r"-(?!\S)")  # "- " or "-" before a line break: a block list entry


def _depth_bound(text: str) -> int:
    """An upper bound of how deep lists and maps nest, cheaper than parsing: each level starts with
    `[`, `{`, `?` or a block entry `-`, or is a block map, which sits at an indentation of its own."""
    indents = {len(line) - len(line.lstrip(" ")) for line in text.splitlines()}
    return text.count("[") + text.count("{") + text.count("?") + len(_BLOCK_ENTRY.findall(text)) + len(indents) + 1


def _too_deep(text: str, depth_limit: int) -> int | None:
    """The line where lists and maps nest deeper than `depth_limit`, or None."""
    if _depth_bound(text) <= depth_limit:
        return None
    loader = Loader(text)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > depth_limit:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return None
    finally:
        loader.dispose()


def load(path: Path, limits: Limits = Limits()) -> YamlDoc:
    text = _text(path, _bytes(path, limits.yaml_bytes))
    loader = None
    try:
        deep = _too_deep(text, limits.yaml_depth)
        if deep is not None:
            raise YamlSyntaxError(path, deep, f"列表或映射嵌套超过 {limits.yaml_depth} 层（sunledger.yml 的 limits.yaml_depth）")
        loader = Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(path, line, str(exc.problem or exc.context or "格式错误")) from exc
    except yaml.reader.ReaderError as exc:  # a NUL or other control character: libyaml gives its offset
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else 1
        raise YamlSyntaxError(path, line, f"含有不允许的控制字符（{exc.reason}）") from exc
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YamlSyntaxError(path, 1, str(exc) or type(exc).__name__) from exc
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDoc(path, data, node)
