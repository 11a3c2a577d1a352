"""A fund's pages as the last build wrote them, reused while nothing they are made of changed.

A fund's pages (its own page, notices, projects, partners, years, annual reports
and disclosure catalogue), its photos and public receipts, its feed and its
download files are one group; each
page of a node above the funds is a group of its own. A group's key is a digest
of everything its pages are made of:

- the part key of each fund it shows (site/parts.py: every byte its check reads, the day, this package's code);
- the render key: mkdocs' and Material's versions, mkdocs.yml, the nav, the hand-written
  pages (their titles are in the nav) and the site's address;
- what the pages read of the other funds: the site's year, the years of every node and fund
  (the trail links to a node's year page when it has one), every project's title, the
  district's download tables (named on each fund's page, without their sizes), and the
  names and numbers the privacy scan looks for.

When a build finds the group stored under its key, its pages are not made again:
the stored files are copied into the site as they are, and a page of the nav is
written by a template that writes the stored page (`CACHED_TEMPLATE`). The group is stored
only after a build has written its files and passed the privacy scan, so a
stored file is one a clean build of the same inputs writes, byte for byte; any
change to an input is another key. Files are kept once by content
(`.sunledger-cache/pages/blobs/`), each group as a small JSON file naming them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ..checkcache import FOLDER

_VERSION = 3  # 3: a fund's download files are in its group


def digest(*parts: object) -> str:
    h = hashlib.sha256(str(_VERSION).encode())
    for part in parts:
        h.update(json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\0")
    return h.hexdigest()


def render_key(config_file: str | None, nav: object, written: dict[str, bytes], site_url: str) -> str:
    """What every page's frame is made of besides its own text: the theme and mkdocs versions,
    mkdocs.yml, the nav and the hand-written pages (whose titles the nav shows)."""
    config = Path(config_file).read_bytes() if config_file and Path(config_file).is_file() else b""
    pages = {uri: hashlib.sha256(data).hexdigest() for uri, data in sorted(written.items())}
    return digest(version("mkdocs"), version("mkdocs-material"), hashlib.sha256(config).hexdigest(), nav, pages, site_url)


@dataclass(frozen=True)
class Group:
    key: str
    files: dict[str, str]  # site path -> blob (sha256 of its bytes): copied into the site as they are
    pages: dict[str, tuple[str, str]]  # pages in the nav: src_uri -> (front matter, blob of the page written)


CACHED_TEMPLATE = "sl-cached.html"  # overrides/: a page of the nav written as the group holds it


def stub(front: str) -> str:
    """The Markdown of a page in the nav whose HTML comes from the cache: its own front matter
    (title, search, fund) and the template that writes the stored page."""
    head, sep, _rest = front.rpartition("---")
    return f'{head}template: "{CACHED_TEMPLATE}"\n{sep}\n' if sep else f'---\ntemplate: "{CACHED_TEMPLATE}"\n---\n'


def front_of(markdown: str) -> str:
    """The front matter block of a generated page's Markdown."""
    if not markdown.startswith("---\n"):
        return ""
    end = markdown.find("\n---\n", 4)
    return markdown[: end + 5] if end >= 0 else ""


class Store:
    """Groups of one site address (`mkdocs serve` draws the site for its own address: its groups
    are kept beside the build's, not over them)."""

    def __init__(self, root: Path, site_url: str = ""):
        self.folder = Path(root) / FOLDER / "pages"
        self.blobs = self.folder / "blobs"
        self._blobs = str(self.blobs) + os.sep
        self.site = hashlib.sha256(site_url.encode()).hexdigest()[:12]
        # blob path -> its stat, taken once where a group is found (`get`): reuse.reconcile asks
        # again whether each site file is that very blob (27,000 of them in a 200-fund district)
        self.stats: dict[str, os.stat_result] = {}
        self._made: set[str] = set()  # blob folders made (or found) by this object

    def _entry(self, code: str) -> Path:
        return self.folder / f"{code}.{self.site}.json"

    def blob(self, sha: str) -> str:
        """Where blob `sha` is kept (a string: tens of thousands are named per build, pathlib is slow at it)."""
        return f"{self._blobs}{sha[:2]}{os.sep}{sha}"

    def get(self, code: str, key: str) -> Group | None:
        """The group stored under `key`, when every file it names is there."""
        try:
            entry = json.loads(self._entry(code).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("files"), dict):
            return None
        try:
            group = Group(key, {str(k): str(v) for k, v in entry["files"].items()},
                          {str(k): (str(v[0]), str(v[1])) for k, v in entry.get("pages", {}).items()})
        except (TypeError, IndexError, AttributeError):
            return None
        stats = {}
        for sha in [*group.files.values(), *(sha for _front, sha in group.pages.values())]:
            blob = self.blob(sha)
            try:
                st = os.stat(blob)
            except OSError:
                return None
            if not stat.S_ISREG(st.st_mode):
                return None
            stats[blob] = st
        self.stats.update(stats)
        return group

    def _keep(self, src: str, link: bool) -> str:
        with open(src, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        dest = self.blob(sha)
        folder = os.path.dirname(dest)
        if folder not in self._made:  # 256 folders, made once, not asked for at each of 27,000 files
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        if link:
            try:
                os.link(src, dest)  # whole at once: no partial blob to guard against
                return sha
            except FileExistsError:
                # the same bytes are kept already (by an earlier build, or `mkdocs serve` for its own
                # address): the site's file becomes that blob, so that the next build finds the very
                # blob in place (reuse.reconcile), not a file to remove and link again
                tmp = f"{src}.sl-{os.getpid()}.tmp"
                try:
                    os.link(dest, tmp)
                    os.replace(tmp, src)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                return sha
            except OSError:  # another file system, or no hard links: copied
                pass
        if not os.path.isfile(dest):
            tmp = f"{os.path.dirname(dest)}{os.sep}.{sha}.{os.getpid()}.tmp"
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        return sha

    def put(self, code: str, key: str, site: Path, paths: list[str], pages: dict[str, tuple[str, str]], link: bool) -> None:
        """Keep the files `paths` (relative to `site`) and the pages of the nav `pages` (src_uri ->
        (front matter, written file)) as group `code` under `key`. With `link` a blob is a hard
        link to the written file (a build folder nobody writes into again)."""
        try:
            top = f"{site}{os.sep}"
            files = {rel: self._keep(top + rel, link) for rel in sorted(paths)}
            kept = {src: (front, self._keep(top + dest, link)) for src, (front, dest) in sorted(pages.items())}
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_entry = tempfile.mkstemp(dir=self.folder, prefix=f".{code}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"key": key, "files": files, "pages": kept}, f, ensure_ascii=False)
            os.replace(tmp_entry, self._entry(code))
        except OSError:
            pass  # a read-only checkout still builds; it only does not remember

    def prune(self, keep_codes: set[str]) -> None:
        """Drop this address's groups of funds that are gone, and the blobs no group names."""
        try:
            named: set[str] = set()
            for entry in self.folder.glob("*.json"):
                code, _, site = entry.stem.rpartition(".")
                if site == self.site and code not in keep_codes:
                    entry.unlink(missing_ok=True)
                    continue
                try:
                    body = json.loads(entry.read_text(encoding="utf-8"))
                    named.update(body.get("files", {}).values())
                    named.update(sha for _front, sha in body.get("pages", {}).values())
                except (OSError, ValueError, AttributeError, TypeError):
                    entry.unlink(missing_ok=True)
            if self.blobs.is_dir():
                for blob in self.blobs.glob("*/*"):
                    if blob.name not in named:
                        blob.unlink(missing_ok=True)
        except OSError:
            pass
