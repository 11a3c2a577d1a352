"""Photos and scanned receipts as published: pixels only, no metadata.

A phone photo of a repaired street lamp carries the GPS position of where it
was taken (often a resident's door), the phone's make and owner name, and the
time to the second. Raster images are re-encoded from their pixels (turned
upright first, since the orientation tag goes too); the scan of the output
refuses any image that still holds EXIF, XMP or text chunks.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF", ".tif": "TIFF",
          ".tiff": "TIFF"}
JPEG_QUALITY = 90
# Image.info keys that are metadata, not pixels (ICC profiles stay: they keep the colours right)
_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "Author", "Description", "Software",
             "Title", "Copyright", "Creation Time", "Source", "photoshop", "iptc")


def is_raster(name: str) -> bool:
    return Path(name).suffix.lower() in RASTER


def clean(path: Path) -> bytes:
    """The image's pixels in its own format, without EXIF, XMP, comments or text chunks."""
    with Image.open(path) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        fmt = RASTER[path.suffix.lower()]
        out = io.BytesIO()
        options: dict = {}
        if img.info.get("icc_profile"):
            options["icc_profile"] = img.info["icc_profile"]
        if fmt == "JPEG":
            options.update(quality=JPEG_QUALITY, optimize=False, progressive=False)
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
        upright.save(out, format=fmt, **options)
    return out.getvalue()


def metadata(name: str, data: bytes) -> list[str]:
    """What a published image still tells beyond its pixels (empty when nothing)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            found = [key for key in _METADATA if key in img.info]
            exif = img.getexif()
            if len(exif):
                found.append("GPS 位置" if 0x8825 in exif else "EXIF")
            if getattr(img, "text", None):
                found.append("文本块")
            return sorted(set(found))
    except (UnidentifiedImageError, OSError, ValueError):
        return ["无法读取"] if is_raster(name) else []
