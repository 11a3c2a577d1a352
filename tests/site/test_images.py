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
