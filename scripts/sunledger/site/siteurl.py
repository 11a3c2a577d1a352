"""`site_url`: the address printed in every notice's QR code, so it must be the site's real one.

Only known placeholders are refused (the documentation domains of RFC 2606 and the
reserved names of RFC 6761): any other address may be real, and `mkdocs serve`
replaces site_url with its own local address before the plugin sees it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")
PLACEHOLDER_TLDS = (".example", ".invalid", ".test", ".localhost")


def problem(url: str | None) -> str | None:
    """Why `url` cannot be the published site's address (Chinese, says what to set), or None."""
    what = "请在 mkdocs.yml 中把 site_url 设为网站发布后的实际网址，如 https://你的用户名.github.io/仓库名/"
    if not url:
        return f"没有设置 site_url：公示二维码需要完整网址。{what}"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return f"site_url“{url}”不是完整网址（应以 https:// 开头）。{what}"
    if any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS) or host.endswith(PLACEHOLDER_TLDS):
        return (f"site_url 还是示例网址 {url}：打印的公示二维码会指向一个不存在的网站。{what}"
                "（本地预览用 mkdocs serve，不受此限制）")
    return None
