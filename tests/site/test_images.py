"""Published images keep their pixels and lose what they tell beyond them."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from sunledger.site import images


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "王建国"  # Artist
    exif.get_ifd(images.GPS_IFD).update({1: "N", 2: (36.0, 51.0, 12.5)})
    return exif.tobytes()


def _png_text() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "王建国")
    return info


CASES = [
    (".jpg", "RGB", {"exif": _exif(), "comment": b"owner 13812345678"}),
    (".png", "RGBA", {"exif": _exif(), "pnginfo": _png_text()}),
    (".webp", "RGBA", {"exif": _exif(), "xmp": b"<x:xmpmeta>owner</x:xmpmeta>"}),
    (".gif", "P", {"comment": b"owner"}),
    (".tiff", "RGB", {"exif": _exif()}),
]


@pytest.mark.parametrize(("suffix", "mode", "meta"), CASES, ids=[c[0] for c in CASES])
def test_metadata_is_found_and_removed(tmp_path, suffix, mode, meta):
    path = tmp_path / f"photo{suffix}"
    Image.new("RGBA", (12, 8), (10, 120, 200, 255)).convert(mode).save(path, **meta)
    assert images.metadata(path.name, path.read_bytes())  # the scan sees it
    data = images.clean(path)
    assert images.metadata(path.name, data) == []
    assert b"13812345678" not in data and "王建国".encode() not in data
    before, after = Image.open(path).convert("RGB"), Image.open(io.BytesIO(data)).convert("RGB")
    assert after.size == before.size
    assert max(abs(a - b) for a, b in zip(before.getpixel((5, 4)), after.getpixel((5, 4)))) <= 6  # JPEG re-encoding


def test_clean_is_deterministic(tmp_path):
    path = tmp_path / "p.jpg"
    Image.new("RGB", (30, 20), (200, 30, 30)).save(path, exif=_exif())
    assert images.clean(path) == images.clean(path)


def test_a_file_that_is_not_an_image_is_reported():
    assert images.metadata("x.jpg", b"not a jpeg") == ["无法读取"]


def _pdf_with_metadata(path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    writer.add_blank_page(200, 100)
    writer.add_metadata({"/Author": "王建国", "/Title": "收据 13812345678", "/Creator": "某某扫描王"})
    xmp = DecodedStreamObject()
    xmp.set_data(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>wangjianguo</dc:creator></x:xmpmeta>')
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)  # noqa: SLF001
    with open(path, "wb") as f:
        writer.write(f)


def test_pdf_receipts_lose_author_title_and_xmp(tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "receipt.pdf"
    _pdf_with_metadata(path)
    assert set(images.metadata(path.name, path.read_bytes())) >= {"Author", "Title", "XMP"}
    data = images.cleaned(path)
    assert data is not None and images.metadata(path.name, data) == []
    assert b"wangjianguo" not in data and b"13812345678" not in data
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert images.cleaned(path) == data  # deterministic
    assert images.cleaned(tmp_path / "notes.svg") is None  # published as it is; the text scan reads it


def test_the_output_scan_refuses_a_pdf_with_metadata(tmp_path):
    from sunledger.site.scan import scan_site

    (tmp_path / "funds/X/receipts").mkdir(parents=True)
    _pdf_with_metadata(tmp_path / "funds/X/receipts/r.pdf")  # copied by something other than the plugin
    found = "\n".join(scan_site(tmp_path, set()))
    assert "funds/X/receipts/r.pdf: SL505 PDF" in found and "13812345678" not in found
