"""Which photo and receipt files may be published: the one list of formats.

A file opened from the site runs on the site's origin: an SVG, HTML or XML
file can carry script, so only formats that hold pixels or pages are
published. The extension decides how a web server serves the file and the
content decides what it is, so both must say the same kind of format (a PNG
named `.jpg` is fine, HTML named `.jpg` or a PNG named `.svg` is not).
`sunledger check` refuses the others (SL804); site/images.py re-encodes
what is published.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from PIL import Image

# extension -> Pillow format name; also the format images are re-encoded in
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF", ".tif": "TIFF",
          ".tiff": "TIFF"}
PDF = ".pdf"
PUBLISHABLE = (*RASTER, PDF)

_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
          (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"%PDF-", "PDF"))


def is_raster(name: str) -> bool:
    return Path(name).suffix.lower() in RASTER


def is_pdf(name: str) -> bool:
    return Path(name).suffix.lower() == PDF


def sniff(head: bytes) -> str | None:
    """The publishable format the first bytes of a file show ("JPEG", "PDF" …), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return next((fmt for magic, fmt in _MAGIC if head.startswith(magic)), None)


def refusal(path: Path) -> str | None:
    """Why `path` may not be published (in Chinese), or None. Reads the file's first bytes (and a
    raster's header through Pillow); an unreadable file raises OSError for the caller to report."""
    suffix = path.suffix.lower()
    if suffix not in PUBLISHABLE:
        return f"{suffix or '没有扩展名'} 格式可能带有脚本，只接受 JPEG、PNG、WebP、GIF、TIFF 图片或 PDF"
    with open(path, "rb") as f:
        found = sniff(f.read(16))
    if found is None:
        return "文件内容不是 JPEG、PNG、WebP、GIF、TIFF 图片或 PDF（扩展名与内容不符，可能是网页或 SVG）"
    if (found == "PDF") != (suffix == PDF):
        return f"扩展名 {suffix} 与文件内容（{found}）不符"
    if found != "PDF":
        try:
            with Image.open(path) as img:
                img.size  # noqa: B018 - the header is parsed on open; a broken one raises
        except Exception as exc:
            return f"图片无法识别（{type(exc).__name__}: {exc}）"
    return None


_realpath = functools.lru_cache(maxsize=256)(os.path.realpath)  # of fund folders, asked once per receipt


def place(folder: Path, name: str) -> str | None:
    """Why the file `name` (relative to `folder`) is not a file of that folder to publish, or None:
    a URL, outside the folder, missing, not a regular file, a symlink, or unreadable. The text
    follows the file's name: "receipts/a.pdf 不存在"."""
    if "://" in name or name.startswith(("/", "\\")):
        return "不是本基金文件夹内的相对路径（不能写网址或绝对路径）"
    try:
        base = _realpath(str(folder))
        real = os.path.realpath(os.path.join(folder, name))
        if os.path.commonpath([base, real]) != base:
            return "超出基金目录"
        # without a symlink below the folder, the real path is the folder and the name as written
        written = os.path.normpath(name)
        if os.path.relpath(real, base) != written:
            return f"是符号链接（{_first_link(folder, written)}）：请放入文件本身"
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            return "不是普通文件"
        with open(real, "rb") as f:  # a regular file: opening cannot block
            f.read(1)
    except FileNotFoundError:
        return "不存在"
    except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: a symlink loop; ValueError: a NUL in the name
        return f"无法读取（{getattr(exc, 'strerror', None) or exc}）"
    return None


def _first_link(folder: Path, written: str) -> str:
    step = folder
    for part in Path(written).parts:
        step = step / part
        if step.is_symlink():
            return step.relative_to(folder).as_posix()
    return written
