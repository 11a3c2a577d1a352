"""What the site takes of each fund's books, computed where the books are loaded, and remembered.

Every page, download and index of the site reads a fund's entries only through
the views of one `FundPart`: its problems, its figures for every year, notices,
projects, partners, annual reports, disclosure catalogue, the payees it shows
masked, its public receipts and its download files. A part is computed from the
fund loaded alone, as `sunledger check` loads it (`loading`: only when main
holds nothing but the funds), in a worker process when there are jobs; the
entries never reach the process that writes the pages.

A part is kept in `.sunledger-cache/site/<CODE>.pickle` under the fund's check
key (`checkcache.fund_key`: every byte the fund's check reads, the day, the
code), so a fund whose inputs did not change is neither loaded nor computed
again, and the entry cannot be stale. A clean build and a build from the cache
go through the same `fund_part`, so they give the same part. A district whose
main ledger holds more than its funds is loaded whole, and not cached.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

from ..check import Checked, _checked, _combined
from ..check import checked as check_loaded
from ..checkcache import FOLDER
from ..content.load import Content, load_content
from ..district import District, FundBooks, checksum, district_from_entries, load_district
from ..downloads import FundFiles, fund_files
from ..errors import Problem, meta
from ..ledger.accounts import Classifier
from ..ledger.attribution import Attribution
from ..ledger.load import fund_files as ledger_fund_files
from ..ledger.load import limits_of, load
from ..loading import Lost, _beside, biggest_first, each, main_of
from ..readonce import ReadOnce
from ..views.annual import AnnualView, annual_views
from ..views.common import public_payee
from ..views.disclosure import Catalogue, fund_catalogue
from ..views.fund import Figures, Movements, Periods, movements, overdue
from ..views.notice import Notice, all_notices
from ..views.partner import PartnerView, partner_view
from ..views.project import ProjectView, all_project_views

_VERSION = 3  # of the pickled part


@dataclass
class Heavy:
    """The views only a fund's own pages read (and what is kept from them by its part's key: its
    search entries, feed items, project cards): most of a part's pickle, read from the cache only
    when asked for (`Later`). After a one-line edit in one fund of 200, reading all of them for
    the other 199 was 2.9 s of the rebuild."""

    notices: list[Notice]
    projects: dict[str, ProjectView]
    annuals: dict[int, AnnualView]
    # its download files (path -> bytes): four fifths of a part's bytes, written only with its pages
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class FundViews:
    """Every view of one fund the site shows."""

    last_date: dt.date | None  # of its last transaction
    years: list[int]
    figures: dict[int | None, Figures]  # whole history, and each year from its first to the site's
    movements: Movements
    overdue: list
    latest: Notice | None  # its last month's notice (the home page lists each fund's)
    spent: dict[str, Decimal]  # project id -> spent: what a list of projects shows besides content/'s facts
    partners: list[PartnerView]
    catalogue: Catalogue
    private_payees: frozenset[str]  # payees as typed that the site shows masked
    receipts: tuple[tuple[str, dict], ...]  # public receipts: (as written, where: filename and lineno)
    downloads: FundFiles | None  # what the district's files take from the fund's; its own files are `download_files`
    heavy: Heavy | Later

    def _heavy(self) -> Heavy:
        if isinstance(self.heavy, Later):
            self.heavy = self.heavy.load()
        return self.heavy

    @property
    def notices(self) -> list[Notice]:
        return self._heavy().notices

    @property
    def projects(self) -> dict[str, ProjectView]:
        return self._heavy().projects

    @property
    def annuals(self) -> dict[int, AnnualView]:
        return self._heavy().annuals

    @property
    def download_files(self) -> dict[str, bytes]:
        return self._heavy().files

    def __getstate__(self) -> dict:
        """Pickled whole (to or from a worker process): a `Later` names a place in this build's cache."""
        self._heavy()
        return self.__dict__


class Later:
    """Where a part's `Heavy` waits in its cache file (after the part itself): read on first use,
    and only if the file still holds the part of the same key (by construction the same views)."""

    def __init__(self, path: Path, offset: int, key: str):
        self.path, self.offset, self.key = path, offset, key

    def load(self) -> Heavy:
        try:
            with open(self.path, "rb") as f, quiet_gc():
                f.seek(self.offset)
                key, heavy = pickle.load(f)  # noqa: S301 - our own cache folder (Store.put)
        except Exception as exc:
            raise CacheChanged(self.path) from exc
        if key != self.key or not isinstance(heavy, Heavy):
            raise CacheChanged(self.path)
        return heavy


class CacheChanged(RuntimeError):
    """A part's cache file was replaced while this build read it (another build of other inputs)."""

    def __init__(self, path: Path):
        super().__init__(f"缓存文件 {path} 在构建中被另一次构建替换，请重新构建")


@dataclass
class FundPart:
    code: str
    checked: Checked  # the fund's own problems, as `sunledger check` finds them
    files: list[str]  # the ledger files its load read (the district's checksum covers them)
    checksum: str = ""  # of those files: what its pages say they were made from
    views: FundViews | None = None  # None: not computed (the fund has errors: no site is built)


def views(district: District, code: str, as_of: dt.date, downloads: bool) -> FundViews:
    """Every view of fund `code` the site shows."""
    books = district.books[code]
    periods = Periods(district)
    years = periods.years(code)
    last = books.txns[-1].date if books.txns else None
    # every year a node above may show (up to the site's day); years before the first entry are empty
    span = range(years[0], max(as_of.year, years[-1]) + 1) if years else range(0)
    figures: dict[int | None, Figures] = {None: periods.figures(code), **{y: periods.figures(code, y) for y in span}}
    public: dict[str, dict] = {}  # each public receipt, at the first line naming it
    for t in books.txns:
        if t.meta.get("receipt") and t.meta.get("receipt-public") is True:
            public.setdefault(str(t.meta["receipt"]), meta(t.meta.get("filename"), t.meta.get("lineno")))
    # each view once: the annual reports and the download tables are made of the same ones
    notices, projects = all_notices(district, code), all_project_views(district, code)
    partners = {pid: partner_view(district, code, pid) for pid in books.fc.partners}
    annuals = annual_views(district, code, as_of, periods, notices=notices, projects=projects, partners=partners)
    made = fund_files(district, code, as_of, projects=projects, partners=partners, annuals=annuals) if downloads else None
    return FundViews(
        last_date=last,
        years=years,
        figures=figures,
        movements=movements(district, code),
        overdue=overdue(district, code, as_of),
        latest=notices[-1] if notices else None,
        spent={pid: v.spent for pid, v in projects.items()},
        partners=list(partners.values()),
        catalogue=fund_catalogue(district, code, as_of),
        private_payees=frozenset(t.payee.strip() for t in books.txns if t.payee and public_payee(district, t) != t.payee),
        receipts=tuple(public.items()),
        downloads=None if made is None else replace(made, files={}),
        heavy=Heavy(notices, projects, annuals, {} if made is None else made.files),
    )


def fund_part(path: Path, as_of: dt.date, downloads: bool) -> FundPart:
    """The part of the fund whose ledger is `path` (its fund.beancount), loaded alone."""
    code = path.parent.name
    entries, errors, options_map = loaded = load(path)
    checked = check_loaded(loaded, as_of)
    files = [f for f in options_map.get("include", []) if Path(f).is_file()]
    part = FundPart(code, checked, files, checksum=checksum(files))
    if loaded.refused or any(p.level == "error" for p in checked.problems):
        return part  # no site is built from it
    district = district_from_entries(entries, errors, options_map, as_of, problems=checked.problems)
    if district is None or code not in district.books:
        return part
    return replace(part, views=views(district, code, as_of, downloads))


def stored_part(path: Path, as_of: dt.date, downloads: bool, root: Path, keys: dict[str, str]) -> FundPart | bool:
    """`fund_part`, kept in the store (under `keys[str(path)]`) by the process that made it: True then
    (the caller reads it back: one pickling, not one to send it and one to keep it), else the part."""
    part = fund_part(path, as_of, downloads)
    return True if Store(root).put(part.code, keys[str(path)], part) else part


def parts_of(district: District, as_of: dt.date, downloads: bool = True, codes=None) -> dict[str, FundPart]:
    """The parts of a district loaded whole (its problems are the district's, not the parts'); the
    pages of a fund loaded with the others say the district's checksum."""
    return {code: FundPart(code, Checked([], False), [], district.checksum, views(district, code, as_of, downloads))
            for code in (district.books if codes is None else codes)}


def _take(f: Path, result: FundPart | bool | Lost, store: Store, key: str, done: dict[Path, FundPart]) -> None:
    """A fund's part as its process left it: kept in the store (read back), returned, or lost."""
    if isinstance(result, Lost):  # a crash may not happen again: never remembered
        done[f] = FundPart(f.parent.name, _checked(result), [])
        return
    part = store.get(f.parent.name, key) if result is True else result
    done[f] = part if isinstance(part, FundPart) else FundPart(f.parent.name, _checked(Lost(f, "缓存写入后无法读回")), [])


@contextlib.contextmanager
def quiet_gc():
    """No cycle collection while a pickle is read: it makes objects by the hundred thousand, and each
    collection walks all those made before (200 parts: 4.2 s with collections, 1.1 s without). Not
    frozen after each read: frozen, the cyclic garbage made between reads stayed to the end of the
    build, and a 200-fund build's peak grew from 1.4 to 2.4 GB (`frozen_after` freezes once, after a
    run of reads with nothing in between)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def frozen_after():
    """No cycle collection over a run of reads, and what they made frozen after: the parts read from
    the cache live to the end of the build, and each collection of a build would walk them all again
    (after an edit in one fund of 200, reading the other 199 cost 4 s with collections, 2.4 s without;
    the rest of the build 25 % more). Only over reads and nothing else: frozen, garbage made in
    between would stay to the end (gc.unfreeze in `build` lets the last build's go)."""
    try:
        with quiet_gc():
            yield
    finally:
        gc.freeze()


# `mkdocs serve` rebuilds in one process, and reading the 200 parts and their memos of a district
# again was 1.5 s of each rebuild: what this process read is kept (`keep_read`), by the file's stat
# when read, and reused while the file is that same file, unwritten since (a stat of each).
# Nothing a build makes from a part writes into it; its heavy views go back to the file (`Later`)
# after each build (`let_go`), as before a build reads them.
_KEEP = [False]
_READ: dict[str, tuple[tuple, int, str, object, int]] = {}


def keep_read(on: bool) -> None:
    _KEEP[0] = on
    if not on:
        _READ.clear()


def let_go() -> None:
    """The heavy views the last build read, left in the file again (kept parts hold only their light part)."""
    for path, (_seen, _version, key, obj, after) in _READ.items():
        if isinstance(obj, FundPart) and obj.views is not None and not isinstance(obj.views.heavy, Later):
            obj.views.heavy = Later(Path(path), after, key)


class Store:
    """Pickled objects under `root/.sunledger-cache/site/`, each with the key it was made under:
    a fund's part (`<CODE>.pickle`), the district's content (`content.pickle`)."""

    def __init__(self, root: Path):
        self.folder = Path(root) / FOLDER / "site"

    def get(self, name: str, key: str, kind: type = FundPart):
        path = self.folder / f"{name}.pickle"
        try:
            st = os.stat(path)
        except OSError:
            return None
        seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        kept = _READ.get(str(path))
        if kept is not None and kept[0] == seen:  # the same file, unwritten since this process read it
            _, version, stored, obj, after = kept
        else:
            try:
                with open(path, "rb") as f, quiet_gc():
                    version, stored, obj = pickle.load(f)  # noqa: S301 - our own cache folder, written below
                    after = f.tell()  # a part's Heavy follows it (put)
            except Exception:  # absent, torn or of another version of this code: computed again
                return None
            if _KEEP[0]:
                _READ[str(path)] = (seen, version, stored, obj, after)
        if version != _VERSION or stored != key or not isinstance(obj, kind):
            return None
        if isinstance(obj, FundPart) and obj.views is not None:
            obj.views.heavy = Later(path, after, key)
        return obj

    def put(self, name: str, key: str, obj: object) -> bool:
        """True when the object is kept. A part is kept as two pickles, the part and then its
        views' `Heavy`, which `get` leaves in the file until it is asked for."""
        heavy = None
        if isinstance(obj, FundPart) and obj.views is not None:
            heavy = obj.views._heavy()
            obj = replace(obj, views=replace(obj.views, heavy=Heavy([], {}, {})))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump((_VERSION, key, obj), f, protocol=pickle.HIGHEST_PROTOCOL)
                if heavy is not None:
                    pickle.dump((key, heavy), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{name}.pickle")
        except OSError:
            return False  # a read-only checkout still builds; it only does not remember
        return True


class Memo:
    """Things made from data alone, kept by a digest of that data and this package's code (downloads'
    district tables; a fund's project cards, search entries and feed items under its part key):
    `memo(key, make)`. Entries this build did not ask for are dropped by `prune`."""

    def __init__(self, root: Path, cache: bool):
        from .. import checkcache

        self.store, self.cache = Store(root), cache
        self.used: set[str] = set()
        self.tools = (checkcache.code_digest(), version("xlsxwriter"))  # a package's metadata: ~1 ms a look

    def __call__(self, key: tuple, make):
        name = "memo-" + hashlib.sha256(repr((self.tools, key)).encode()).hexdigest()[:32]
        self.used.add(name)
        found = self.store.get(name, name, object) if self.cache else None
        if found is None:
            found = make()
            self.store.put(name, name, found)
        return found

    def prune(self) -> None:
        for path in self.store.folder.glob("memo-*.pickle"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def content_of(root: Path, key: str, store: Store, cache: bool) -> Content:
    """`load_content(root)`, from the store while content/ and the configuration are unchanged
    (parsing thousands of YAML files with their line numbers is most of a warm build otherwise)."""
    found = store.get("content", key, Content) if cache else None
    if found is None:
        found = load_content(root)
        store.put("content", key, found)
    return found


@dataclass
class Built:
    problems: list[Problem]
    parts: dict[str, FundPart]
    district: District  # content and configuration, no entries; last date and checksum of the whole
    keys: dict[str, str]  # fund code -> the key its part is kept under (none when loaded whole)
    shared: str  # checkcache.shared_digest: the configuration, district.yml, every fund.yml, the day, the code
    loaded: frozenset[str]  # the funds whose books this build read (the others came from the cache)


def build(root: Path, as_of: dt.date, jobs: int = 1, downloads: bool = True, cache: bool = True) -> Built:
    """Every fund's part, from the cache where its inputs are unchanged, and the district's problems."""
    from .. import checkcache

    root = Path(root).resolve()
    main, funds = main_of(root), ledger_fund_files(root)
    beside = _beside(main, funds) if main.is_file() and len(funds) >= 2 else None
    if beside is None:  # loaded whole, as bean-check loads it
        district = load_district(root, as_of, jobs)
        return Built(district.problems, parts_of(district, as_of, downloads), district.without_entries(), {}, "",
                     frozenset(district.books))
    store = Store(root)
    shared, limits = checkcache.shared_digest(root, as_of), limits_of(main)
    salt = f"site|{_VERSION}|{downloads}|{root}|"  # views hold the ledger's file names: a moved district starts anew
    folders: dict[Path, str] = {}
    once = ReadOnce()  # the ledger's files: read for the keys, read again for the district's checksum
    keys = {f: salt + checkcache.fund_key(root, f, shared, limits, folders, once) for f in funds}
    done: dict[Path, FundPart] = {}
    gc.unfreeze()  # what an earlier build in this process (`mkdocs serve`) froze may go
    if cache:
        with frozen_after():
            for f in funds:
                hit = store.get(f.parent.name, keys[f])
                if hit is not None:
                    done[f] = hit
    missing = biggest_first([f for f in funds if f not in done])
    checks = checkcache.Store(root)
    make = functools.partial(stored_part, as_of=as_of, downloads=downloads, root=root, keys={str(f): keys[f] for f in missing})
    found: list[Content] = []  # the district's content, read while the funds are loaded

    def take(f: Path, result: FundPart | bool | Lost) -> None:
        _take(f, result, store, keys[f], done)
        if not isinstance(result, Lost):  # a crash may not happen again: never remembered
            checks.put(f.parent.name, keys[f][len(salt):], done[f].checked.problems, done[f].checked.refused)

    contents = checkcache.content_key(root, folders)
    each(make, missing, jobs, lambda: found.append(content_of(root, f"{root}|{contents}", store, cache)), take)
    problems = _combined(root, list(beside[0]), {f: done[f].checked for f in funds}, contents if cache else None)
    content = found[0]
    parts = {f.parent.name: done[f] for f in funds}
    files = sorted({*beside[3], *(x for p in parts.values() for x in p.files)})
    dates = [p.views.last_date for p in parts.values() if p.views is not None and p.views.last_date is not None]
    district = District(root, content, Classifier(content.config, content), Attribution(),
                        {code: FundBooks(fc) for code, fc in content.funds.items()}, problems,
                        checksum([f for f in files if Path(f).is_file()], once), max(dates, default=None))
    del once
    # a fund with content and no ledger yet: its (empty) views from the content alone
    parts.update(parts_of(district, as_of, downloads, [c for c in content.funds if c not in parts]))
    return Built(problems, parts, district, {f.parent.name: keys[f] for f in funds}, shared,
                 frozenset(f.parent.name for f in missing))
