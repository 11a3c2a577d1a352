"""Published images keep their pixels and lose what they tell beyond them."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from sunledger.site import feeds, images


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
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
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
    with pytest.raises(images.Refused):  # never published as it is (it was, before SL804)
        images.cleaned(tmp_path / "notes.svg")


def test_the_output_scan_refuses_a_pdf_with_metadata(tmp_path):
    from sunledger.site.scan import scan_site

    (tmp_path / "funds/X/receipts").mkdir(parents=True)
    _pdf_with_metadata(tmp_path / "funds/X/receipts/r.pdf")  # copied by something other than the plugin
    found = "\n".join(scan_site(tmp_path, set()))
    assert "funds/X/receipts/r.pdf: SL505 PDF" in found and "13812345678" not in found


# ---------------------------------------------------------------- nothing that runs (SL804)

HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" onload="alert('svg-onload')">
  <script>alert('svg-script')</script>
  <text x="10" y="50">收款收据 ¥120.00</text>
</svg>
"""
HOSTILE_HTML = "<!DOCTYPE html><html><body><script>alert('html-as-jpg')</script></body></html>"


@pytest.mark.parametrize(("name", "data", "seen"), [
    ("receipt.svg", HOSTILE_SVG, ".svg"),
    ("receipt.png", HOSTILE_SVG, "是 SVG"),  # renamed: decided by the content, not the name
    ("photo.jpg", HOSTILE_HTML, "是 HTML"),
    ("receipt.pdf", HOSTILE_HTML, "是 HTML"),
    ("receipt.html", HOSTILE_HTML, ".html"),
    ("receipt", "%PDF-1.4", "没有扩展名"),
], ids=["svg", "svg-as-png", "html-as-jpg", "html-as-pdf", "html", "no-suffix"])
def test_markup_is_refused_whatever_its_name(tmp_path, name, data, seen):
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    with pytest.raises(images.Refused, match=seen):
        images.cleaned(path)


def test_pillow_decodes_no_format_beyond_the_published_ones(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (8, 8)).save(path, format="BMP")  # Pillow reads BMP, but it is not a format we publish
    with pytest.raises(images.Refused):
        images.cleaned(path)


def _active_pdf(path) -> None:
    """Two pages and every way a PDF runs or opens something."""
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.annotations import Link
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def action(kind: str, **values: str) -> DictionaryObject:
        return DictionaryObject({NameObject("/S"): NameObject(kind),
                                 **{NameObject(f"/{k}"): TextStringObject(v) for k, v in values.items()}})

    w = PdfWriter()
    w.add_blank_page(200, 100)
    w.add_blank_page(200, 100)
    w.add_open_action(JavaScript("app.alert('pwned-names')"))  # document-level /Names /JavaScript
    w._root_object[NameObject("/OpenAction")] = w._add_object(action("/JavaScript", JS="app.alert('pwned-open')"))
    w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action("/Launch", F="calc.exe")})
    w.add_annotation(0, Link(rect=(10, 10, 50, 30), url="https://example.org/"))
    w.pages[0]["/Annots"][0].get_object()[NameObject("/A")] = action("/JavaScript", JS="app.alert('pwned-link')")
    w.add_attachment("evil.exe", b"MZ pwned")
    w._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp>pwned</xdp>")})
    with open(path, "wb") as f:
        w.write(f)


def test_a_pdf_loses_scripts_actions_attachments_and_forms(tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "receipt.pdf"
    _active_pdf(path)
    found = images.pdf_active(path.read_bytes())
    assert {"JavaScript", "OpenAction", "AA", "Launch", "EmbeddedFiles", "XFA"} <= set(found)
    data = images.cleaned(path)
    assert images.pdf_active(data) == [] and images.metadata(path.name, data) == []
    assert b"pwned" not in data and b"calc.exe" not in data
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert images.cleaned(path) == data  # deterministic


def test_the_output_scan_refuses_what_could_run_script(tmp_path):
    from sunledger.site.scan import scan_site

    receipts = tmp_path / "funds/X/receipts"
    receipts.mkdir(parents=True)
    (receipts / "r.svg").write_text(HOSTILE_SVG, encoding="utf-8")
    (receipts / "r.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (receipts / "r.js").write_text("alert(1)", encoding="utf-8")
    (receipts / "fake.jpg").write_text(HOSTILE_HTML, encoding="utf-8")
    _active_pdf(receipts / "active.pdf")
    # what mkdocs, Material and the plugin write themselves
    for rel in ("index.html", "funds/X/index.html", "404.html", "sitemap.xml", "assets/sunledger/a11y.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("<html></html>", encoding="utf-8")
    found = [line for line in scan_site(tmp_path, set()) if " SL804 " in line]
    assert sorted(line.split(":")[0] for line in found) == [
        f"funds/X/receipts/{n}" for n in ("active.pdf", "fake.jpg", "r.html", "r.js", "r.svg")]
    assert "JavaScript" in next(line for line in found if "active.pdf" in line)


def test_the_build_refuses_markup_receipts_and_photos_and_publishes_no_active_pdf(tmp_path):
    """Hostile files as a vendor hands them over: the build names each refused one at its ledger or
    YAML line; once they are replaced, the site holds no SVG and no PDF that runs anything."""
    import subprocess

    import conftest

    root = tmp_path / "demo"
    conftest.copy_demo(root, "mkdocs.yml")
    month = root / "ledger/funds/Yuchan/txns/2026-10.beancount"  # not sealed yet: its receipt may still change
    text = month.read_text(encoding="utf-8")
    public = [line.split('"')[1] for line in text.splitlines() if line.strip().startswith("receipt:")]
    assert len(public) == 2 and text.count("receipt-public: TRUE") == 2
    svg_receipt, pdf_receipt = public[0].replace(".pdf", ".svg"), public[1]
    month.write_text(text.replace(public[0], svg_receipt), encoding="utf-8")
    lines = month.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if svg_receipt in line)
    (root / "ledger/funds/Yuchan" / svg_receipt).write_text(HOSTILE_SVG, encoding="utf-8")
    _active_pdf(root / "ledger/funds/Yuchan" / pdf_receipt)
    project = root / "content/funds/Guangming/projects/GM-2024-01.yml"
    project.write_text(project.read_text(encoding="utf-8").replace(
        "- text: 6栋楼18个单元楼道全部亮灯", "- text: 6栋楼18个单元楼道全部亮灯\n  photo: photos/lamp.jpg"), encoding="utf-8")
    (root / "content/funds/Guangming/photos").mkdir()
    (root / "content/funds/Guangming/photos/lamp.jpg").write_text(HOSTILE_HTML, encoding="utf-8")

    env = {**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"}

    def build(out):
        return subprocess.run([str(conftest.BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(out)],
                              cwd=root, env=env, capture_output=True, text=True, timeout=300)

    done = build(tmp_path / "refused")
    assert done.returncode != 0
    # the check inside the build refuses both first, at the lines that name them
    assert f"ledger/funds/Yuchan/txns/2026-10.beancount:{at + 1}: SL804 公开凭证 ledger/funds/Yuchan/{svg_receipt} 不能公开" in done.stderr
    assert "content/funds/Guangming/projects/GM-2024-01.yml:" in done.stderr
    assert "SL804 项目 GM-2024-01 的照片 photos/lamp.jpg 不能公开" in done.stderr
    assert not (tmp_path / "refused" / "index.html").exists()

    # the treasurer exports the SVG as a PDF and takes the photo again
    (root / "ledger/funds/Yuchan" / svg_receipt).unlink()
    month.write_text(text, encoding="utf-8")
    Image.new("RGB", (40, 20), (10, 120, 200)).save(root / "content/funds/Guangming/photos/lamp.jpg")
    out = tmp_path / "site"
    done = build(out)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not [p for p in out.rglob("*") if p.suffix.lower() in (".svg", ".svgz", ".xml") and p.name != "sitemap.xml"
                and not feeds.is_feed(p.relative_to(out).as_posix())]
    published = out / "funds/Yuchan" / pdf_receipt
    assert b"pwned" not in published.read_bytes()
    assert all(images.pdf_active(p.read_bytes()) == [] for p in out.rglob("*.pdf"))
