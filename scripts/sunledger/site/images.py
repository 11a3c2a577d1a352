"""Photos and scanned receipts as published: pixels (or pages) only, no metadata.

A phone photo of a repaired street lamp carries the GPS position of where it
was taken (often a resident's door), the phone's make and owner name, and the
time to the second. Raster images are re-encoded from their pixels (turned
upright first, since the orientation tag goes too). A PDF receipt loses its
document information (author, title, the scanning app) and XMP. The scan of the
output refuses any image or PDF that still holds such metadata.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF", ".tif": "TIFF",
          ".tiff": "TIFF"}
JPEG_QUALITY = 90
# Image.info keys that are metadata, not pixels (ICC profiles stay: they keep the colours right)
_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "Author", "Description", "Software",
             "Title", "Copyright", "Creation Time", "Source", "photoshop", "iptc")
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
# ImageDescription, Make, Model, Software, DateTime, Artist, Copyright, Orientation
_TELLING_TAGS = (0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x013B, 0x8298, 0x0112)


def is_raster(name: str) -> bool:
    return Path(name).suffix.lower() in RASTER


def is_pdf(name: str) -> bool:
    return Path(name).suffix.lower() == ".pdf"


def cleaned(path: Path) -> bytes | None:
    """The bytes to publish for an image or PDF; None for other files (published as they are)."""
    if is_raster(path.name):
        return clean(path)
    if is_pdf(path.name):
        return clean_pdf(path)
    return None


def clean_pdf(path: Path) -> bytes:
    """The PDF's pages without its document information and XMP (also per page); unreferenced objects dropped."""
    writer = PdfWriter(clone_from=str(path))
    writer.metadata = None
    if "/Metadata" in writer._root_object:  # noqa: SLF001 - pypdf has no public way to drop the catalog's XMP
        del writer._root_object["/Metadata"]  # noqa: SLF001
    for page in writer.pages:
        if "/Metadata" in page:
            del page["/Metadata"]
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_metadata(data: bytes) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(data))
        info = reader.metadata or {}
        found = sorted(k.lstrip("/") for k, v in info.items() if k != "/Producer" and str(v).strip())
        # the catalog's or a page's XMP stream, without parsing it (a malformed one must not hide)
        if "/Metadata" in reader.root_object or any("/Metadata" in page for page in reader.pages):
            found.append("XMP")
        return found
    except (PyPdfError, OSError, ValueError, KeyError):
        return ["无法读取"]


def clean(path: Path) -> bytes:
    """The image's pixels in its own format, without EXIF, XMP, comments or text chunks."""
    with Image.open(path) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        # a new image from the pixels alone: savers copy comments, TIFF tags and the like from .info
        fresh = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if upright.mode in ("P", "PA") and upright.getpalette() is not None:
            fresh.putpalette(upright.getpalette(rawmode="RGBA") or [], rawmode="RGBA")
        fmt = RASTER[path.suffix.lower()]
        out = io.BytesIO()
        options: dict = {}
        if img.info.get("icc_profile"):
            options["icc_profile"] = img.info["icc_profile"]
        if "transparency" in upright.info:
            options["transparency"] = upright.info["transparency"]
        upright = fresh
        if fmt == "JPEG":
            options.update(quality=JPEG_QUALITY, optimize=False, progressive=False)
            if upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
        upright.save(out, format=fmt, **options)
    return out.getvalue()


def metadata(name: str, data: bytes) -> list[str]:
    """What a published image or PDF still tells beyond its pixels or pages (empty when nothing)."""
    if is_pdf(name):
        return pdf_metadata(data)
    try:
        with Image.open(io.BytesIO(data)) as img:
            found = [key for key in _METADATA if key in img.info]
            exif = img.getexif()  # for TIFF also the structural tags (size, compression): look for the telling ones
            if exif.get_ifd(GPS_IFD):
                found.append("GPS 位置")
            if exif.get_ifd(EXIF_IFD) or any(tag in exif for tag in _TELLING_TAGS):
                found.append("EXIF")
            if getattr(img, "text", None):
                found.append("文本块")
            return sorted(set(found))
    except (UnidentifiedImageError, OSError, ValueError):
        return ["无法读取"] if is_raster(name) else []
