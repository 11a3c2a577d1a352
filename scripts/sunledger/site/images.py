"""Photos and scanned receipts as published: pixels (or pages) only, no metadata, nothing that runs.

Only raster images and PDFs are ever published, decided by what the file holds,
not by its name: a raster is re-encoded from the pixels Pillow decodes (in one
of a few formats: a `.jpg` that is really SVG or HTML is refused), a PDF is
rebuilt from its pages alone. Anything else, SVG above all (opened directly, its
`<script>` and `onload` run on the site's origin), is refused with SL804 naming
the file. SVG is not rasterised: resvg (`resvg-py`) drew no text at all for the
demo's receipts with its default fonts, even with CJK fonts installed (a blank
receipt, published silently), and it reads the files an `<image href="/abs/path">`
names into the picture (a hostile SVG could publish any file the build can read).

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
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..errors import said
from ..media import RASTER, is_pdf, is_raster
from . import feeds

# what Pillow may decode a published raster as (its JPEG opener also gives the MPO of many phone cameras);
# never EPS (Ghostscript), PSD, XBM …: the formats media.py lets `sunledger check` pass
PILLOW_FORMATS = tuple(dict.fromkeys(RASTER.values()))
JPEG_QUALITY = 90
# Files a browser runs when the site serves them (by suffix, as web servers pick the Content-Type)
ACTIVE_SUFFIXES = {".svg", ".svgz", ".html", ".htm", ".xhtml", ".xht", ".xml", ".xsl", ".xslt", ".shtml",
                   ".mht", ".mhtml", ".js", ".mjs"}
# ... and where mkdocs, Material and the plugin write them (Material's own bundles are skipped by the scan)
_PAGE_NAMES = ("index.html",)
_SITE_FILES = ("404.html", "sitemap.xml")
_SCRIPT_FOLDER = "assets/sunledger/"
# PDF names that run something in a viewer: document/page/field actions, scripts, launched or
# submitted files, embedded files, XFA forms, rich media. The cleaner drops every one of them.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/Rendition",
                       "/RichMediaExecute", "/Movie", "/Sound"}
_PDF_ACTIVE_ANNOTS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# Image.info keys that are metadata, not pixels (ICC profiles stay: they keep the colours right)
_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "Author", "Description", "Software",
             "Title", "Copyright", "Creation Time", "Source", "photoshop", "iptc")
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
# ImageDescription, Make, Model, Software, DateTime, Artist, Copyright, Orientation
_TELLING_TAGS = (0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x013B, 0x8298, 0x0112)


class Refused(ValueError):
    """A photo or receipt the site does not publish (SL804): not a raster image or PDF by its content."""


def cleaned(path: Path) -> bytes:
    """The bytes to publish for a photo or receipt: re-encoded pixels or a rebuilt PDF; Refused for anything else."""
    if is_pdf(path.name):
        with path.open("rb") as f:
            head = f.read(1024)
        if b"%PDF-" not in head:  # where readers look for the header
            raise Refused(f"扩展名是 .pdf，内容却{_sniff(head, 'PDF')}")
        try:
            return clean_pdf(path)
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            raise Refused(f"PDF 无法读取（{exc}）") from exc
    if is_raster(path.name):
        try:
            return clean(path)
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            with path.open("rb") as f:
                raise Refused(f"扩展名是 {path.suffix}，内容却{_sniff(f.read(1024), '可以公开的图片格式')}") from exc
    raise Refused(f"扩展名 {path.suffix} 不是图片或 PDF" if path.suffix else "文件没有扩展名")


def _sniff(head: bytes, expected: str) -> str:
    """What a file that is not what its name says seems to be, for the message."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for mark, kind in ((b"<svg", "SVG"), (b"<!doctype html", "HTML"), (b"<html", "HTML"), (b"<?xml", "XML")):
        if text.startswith(mark) or (kind == "SVG" and b"<svg" in text):
            return f"是 {kind}"
    return f"不是 {expected}"


def clean_pdf(path: Path) -> bytes:
    """The PDF's pages alone, in a new document: no document information, XMP, outline, name tree
    (document scripts, embedded files), form (XFA), open action, nor any page or annotation action."""
    reader = PdfReader(str(path))
    writer = PdfWriter()
    for page in reader.pages:
        _make_inert(page)
        writer.add_page(page)
    writer.metadata = None
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _make_inert(page: DictionaryObject) -> None:
    """Strip, before the page is copied, what it carries besides its drawing."""
    for key in ("/AA", "/Metadata"):
        page.pop(key, None)
    if "/Annots" not in page:
        return
    kept = ArrayObject()
    annots = page["/Annots"].get_object()
    for ref in annots if isinstance(annots, ArrayObject) else []:
        annot = ref.get_object()
        if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") in _PDF_ACTIVE_ANNOTS:
            continue
        # /Parent: a form field's own actions (and with it the form) stay behind; /AP still draws its value
        for key in ("/A", "/AA", "/PA", "/Parent", "/P"):
            annot.pop(key, None)
        kept.append(ref)
    page[NameObject("/Annots")] = kept


def pdf_active(data: bytes) -> list[str]:
    """What in a PDF a viewer would run or open (names without the slash); empty when nothing.

    Looks at every object in the cross-reference table, referenced or not, and into its direct values.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        found: set[str] = set()
        ids = {(num, gen) for gen, table in reader.xref.items() for num in table} | {(n, 0) for n in reader.xref_objStm}
        todo: list = [reader.trailer]
        for num, gen in sorted(ids):
            try:
                todo.append(reader.get_object(IndirectObject(num, gen, reader)))
            except (PyPdfError, ValueError, KeyError, TypeError, OSError):
                found.add("无法读取的对象")
        while todo:
            obj = todo.pop()
            if isinstance(obj, DictionaryObject):
                found.update(k for k in obj if k in _PDF_ACTIVE_KEYS)
                if obj.get("/S") in _PDF_ACTIVE_ACTIONS:
                    found.add(str(obj["/S"]))
                if obj.get("/Subtype") in _PDF_ACTIVE_ANNOTS or obj.get("/Type") == "/EmbeddedFile":
                    found.add(str(obj.get("/Subtype") if obj.get("/Subtype") in _PDF_ACTIVE_ANNOTS else obj["/Type"]))
                todo.extend(v for v in obj.values() if isinstance(v, (DictionaryObject, ArrayObject)))
            elif isinstance(obj, ArrayObject):
                todo.extend(v for v in obj if isinstance(v, (DictionaryObject, ArrayObject)))
        return sorted(name.lstrip("/") for name in found)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError):
        return ["无法读取"]


def is_image(data: bytes) -> bool:
    """Whether Pillow decodes the bytes as one of the raster formats the site publishes."""
    try:
        with Image.open(io.BytesIO(data), formats=PILLOW_FORMATS) as img:
            img.verify()
        return True
    except Exception:
        return False


def refused(rel: str, path: Path) -> str | None:
    """The SL804 line for a published file that could run script on the site's origin, or None.

    For the scan of the output (files copied some other way than the plugin's): a page or script
    where mkdocs and the plugin do not write them (a receipt or photo `.svg`/`.html`/`.js`),
    a raster name that is not an image, a PDF that would run or open something.
    """
    suffix = Path(rel).suffix.lower()
    if suffix in ACTIVE_SUFFIXES:
        if Path(rel).name in _PAGE_NAMES or rel in _SITE_FILES or feeds.is_feed(rel) or (
                suffix in (".js", ".mjs") and rel.startswith(_SCRIPT_FOLDER)):
            return None
        return f"{rel}: " + said("SL804", f"网站只公开页面、图片和 PDF，此文件（{suffix}）可能在网站上运行脚本")
    if is_raster(rel) and not is_image(path.read_bytes()):
        return f"{rel}: " + said("SL804", f"扩展名是图片，内容却不是 {'/'.join(PILLOW_FORMATS)} 图片")
    if is_pdf(rel) and (found := pdf_active(path.read_bytes())):
        return f"{rel}: " + said("SL804", f"PDF 含有会运行或打开的内容（{'、'.join(found)}）")
    return None


def pdf_metadata(data: bytes) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(data))
        info: dict = reader.metadata or {}
        found = sorted(k.lstrip("/") for k, v in info.items() if k != "/Producer" and str(v).strip())
        # the catalog's or a page's XMP stream, without parsing it (a malformed one must not hide)
        if "/Metadata" in reader.root_object or any("/Metadata" in page for page in reader.pages):
            found.append("XMP")
        return found
    except (PyPdfError, OSError, ValueError, KeyError):
        return ["无法读取"]


def clean(path: Path) -> bytes:
    """The image's pixels in its own format, without EXIF, XMP, comments or text chunks."""
    with Image.open(path, formats=PILLOW_FORMATS) as img:
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
