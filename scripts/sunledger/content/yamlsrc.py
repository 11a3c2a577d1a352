"""YAML that remembers where each value came from.

One libyaml parse gives both the node tree (with line marks) and the Python
data, so a pydantic error path like ("funding", "政府拨") is turned back into
the line of the file the treasurer has to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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
    def __init__(self, path: Path, line: int, problem: str):
        super().__init__(problem)
        self.path, self.line, self.problem = path, line, problem


def load(path: Path) -> YamlDoc:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(path, 1, f"文件不是 UTF-8 编码（{exc.reason}）") from exc
    except OSError as exc:
        raise YamlSyntaxError(path, 1, f"无法读取文件（{exc.strerror}）") from exc
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(path, line, str(exc.problem or exc.context or "格式错误")) from exc
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YamlSyntaxError(path, 1, str(exc) or type(exc).__name__) from exc
    finally:
        loader.dispose()
    return YamlDoc(path, data, node)
