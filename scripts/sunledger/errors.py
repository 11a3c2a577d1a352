"""The one error type every rule and loader returns, its printed form, and the table of codes.

A problem is a beancount error namedtuple (source, message, entry), so plugins
hand it to beancount unchanged and bean-check and Fava print it. The message
is `CODE 中文说明（sunledger explain CODE）`: the stable code first, so all three
faces show the same text, and a pointer last, so a treasurer who meets it in
any face knows where to read what it means and how to fix it.

What each code means, why its rule exists and how to fix it is written once,
in `codes.yml` next to this module; `sunledger explain` prints it, and the
tables of DEVELOPING.md and the treasurer's guide are generated from it
(`make codes`, scripts/code_tables.py).
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, field_validator


class FundError(NamedTuple):
    source: dict[str, Any]
    message: str
    entry: Any


class FundWarning(NamedTuple):
    """Reported by `sunledger check` and the audit report, never by plugins."""

    source: dict[str, Any]
    message: str
    entry: Any


def meta(filename: str | None, lineno: int | None) -> dict[str, Any]:
    return {"filename": filename or "<unknown>", "lineno": lineno or 0}


def pointer(code: str) -> str:
    """What ends every message: the command that explains its code."""
    return f"（sunledger explain {code}）"


def said(code: str, text: str) -> str:
    """The message of a problem: code, Chinese text, pointer (once, even when a message is wrapped again)."""
    text = text.removesuffix(pointer(code))
    return f"{code} {text}{pointer(code)}"


def error(source: dict[str, Any] | None, code: str, text: str, entry: Any = None) -> FundError:
    src = meta(None, None) if source is None else {"filename": source.get("filename", "<unknown>"), "lineno": source.get("lineno", 0)}
    return FundError(src, said(code, text), entry)


def warning(source: dict[str, Any] | None, code: str, text: str, entry: Any = None) -> FundWarning:
    return FundWarning(*error(source, code, text, entry))


# beancount's own errors carry no code: `sunledger check` gives them one by their type.
_NATIVE = {
    "ParserError": "SL001",
    "ParserSyntaxError": "SL001",
    "LexerError": "SL001",
    "DeprecatedError": "SL001",
    "BalanceError": "SL002",
    "ValidationError": "SL003",
    "LoadError": "SL004",
    "PadError": "SL005",
    "BookingError": "SL006",
    "InterpolationError": "SL006",
    "ReductionError": "SL006",
    "CategorizationError": "SL006",
    "SelfReduxError": "SL006",
    "AmbiguousMatchError": "SL006",
    "DocumentError": "SL007",
}
_OTHER = "SL009"


@dataclass(frozen=True, order=True)
class Problem:
    filename: str
    lineno: int
    message: str
    code: str
    level: str  # "error" | "warning"

    def rel(self, root: Path) -> str:
        try:
            return str(Path(self.filename).resolve().relative_to(root))
        except (ValueError, OSError):
            return self.filename

    def line(self, root: Path) -> str:
        return f"{self.rel(root)}:{self.lineno}: {self.message}"

    def as_json(self, root: Path) -> dict[str, Any]:
        return {"file": self.rel(root), "line": self.lineno, "code": self.code, "level": self.level, "message": self.message}


def problem(err: Any) -> Problem:
    src = err.source if isinstance(err.source, dict) else {}
    message = str(err.message).strip()
    head = message.split(" ", 1)[0]
    if head.startswith(("SL", "W")) and head[-3:].isdigit():
        code = head
    else:  # beancount's English text, after the code's Chinese title
        code = _NATIVE.get(type(err).__name__, _OTHER)
        message = said(code, f"{codes()[code].heading.zh}：{message}")
    level = "warning" if isinstance(err, FundWarning) or code.startswith("W") else "error"
    return Problem(str(src.get("filename") or "<unknown>"), int(src.get("lineno") or 0), message, code, level)


# The table of codes -----------------------------------------------------------------------------

LANGS = ("zh", "en")
RAISERS = ("beancount", "build", "check")  # besides the rule modules: beancount itself, the site build, the check command


class Text(BaseModel):
    """One text in both languages the project speaks."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str

    @field_validator("zh", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class Code(BaseModel):
    """One row of the table: what a code means, who raises it, why, and how to fix it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level: Literal["error", "warning"]
    raised_by: tuple[str, ...]  # rule modules (sunledger.rules.<name>) or one of RAISERS
    name: Text | None = None  # a short name, where the title is too long to head a message
    title: Text  # the meaning, as the docs' tables show it
    why: Text  # why the rule exists
    fix: Text  # what to do
    example: str | None = None  # a copyable line (beancount, YAML or a command): code reads the same in both languages

    @property
    def heading(self) -> Text:
        return self.name or self.title


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def codes() -> dict[str, Code]:
    """Every code, in the table's order; read once per process."""
    text = resources.files("sunledger").joinpath("codes.yml").read_text(encoding="utf-8")
    return {str(code): Code.model_validate(row) for code, row in yaml.load(text, Loader=_LOADER).items()}


def close_to(code: str, limit: int = 5) -> list[str]:
    """Codes a mistyped `code` may have meant: same family first (SL1xx for SL109x), then by spelling."""
    wanted = code.strip().upper()
    known = list(codes())
    family = [c for c in known if len(wanted) >= 3 and c.startswith(wanted[:3])]
    spelled = difflib.get_close_matches(wanted, known, n=limit, cutoff=0.5)
    return list(dict.fromkeys([*spelled, *family]))[:limit]


LABELS = {
    "zh": {"why": "为什么", "fix": "怎么改", "example": "例如", "error": "错误", "warning": "提醒"},
    "en": {"why": "Why", "fix": "Fix", "example": "Example", "error": "error", "warning": "warning"},
}


def explanation(code: str, lang: str = "zh") -> str:
    """What `sunledger explain CODE` prints: what the code means, why its rule exists, the fix, an example."""
    row, label = codes()[code], LABELS[lang]
    colon = "：" if lang == "zh" else ": "
    head = f"{code}（{label[row.level]}）" if lang == "zh" else f"{code} ({label[row.level]})"
    out = [f"{head}{colon}{getattr(row.heading, lang)}"]
    if row.name:
        out.append(getattr(row.title, lang))
    out.append("")
    out += [f"{label['why']}{colon}{getattr(row.why, lang)}", "", f"{label['fix']}{colon}{getattr(row.fix, lang)}"]
    if row.example:  # indented, so it is copied as it stands
        out += ["", f"{label['example']}{colon.rstrip()}", *(f"    {line}" for line in row.example.splitlines())]
    return "\n".join(out) + "\n"
