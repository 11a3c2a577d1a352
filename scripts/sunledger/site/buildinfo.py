"""Which commit and which ledger a build comes from, stated on every page."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

UNCOMMITTED = "未提交"


@dataclass(frozen=True)
class BuildInfo:
    commit: str  # full sha, or "未提交"
    dirty: bool
    checksum: str  # District.checksum: sha256 of every ledger file
    commit_date: dt.date | None = None  # the day overdue disclosure is judged on, so a commit builds the same site

    def with_checksum(self, checksum: str) -> BuildInfo:
        return replace(self, checksum=checksum)

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit != UNCOMMITTED else UNCOMMITTED

    @property
    def text(self) -> str:
        """One line for the page footer."""
        if self.commit == UNCOMMITTED:
            where = "未提交（不在 git 仓库中）"
        elif self.dirty:
            where = f"未提交的修改（基于提交 {self.commit[:12]}）"
        else:
            where = f"提交 {self.commit[:12]}"
        return f"本页根据{where}、账本校验和 {self.checksum[:12]} 生成"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def commit(root: Path, ignore: tuple[str, ...] = ()) -> BuildInfo:
    """HEAD of the git repository holding `root`, without a checksum yet; dirty when tracked or
    new files differ. `ignore` lists paths (relative to the repository) whose changes do not
    count, such as the folder the site is being written to."""
    head = _git(root, "rev-parse", "HEAD")
    if head is None:
        return BuildInfo(UNCOMMITTED, True, "")
    status = _git(root, "status", "--porcelain", "--", ".", *(f":(exclude){p}" for p in ignore)) or ""
    day = (_git(root, "log", "-1", "--format=%cs", "HEAD") or "").strip()
    return BuildInfo(head.strip(), bool(status.strip()), "", dt.date.fromisoformat(day) if day else None)


def build_info(root: Path, checksum: str, ignore: tuple[str, ...] = ()) -> BuildInfo:
    return commit(root, ignore).with_checksum(checksum)
