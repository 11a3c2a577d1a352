"""`sunledger check | seal | close | init | new-fund | adopt | balances | explain …`: parse arguments, call the library, set the exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from . import __version__
from .check import check_root
from .errors import said


def _day(text: str) -> dt.date:
    """A date flag (--as-of, --opened, --cutover): argparse says which flag, and exits 2."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为 YYYY-MM-DD 格式的日期，而不是“{text}”") from None

def _check(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    if not (root / "ledger" / "main.beancount").is_file():
        print(f"sunledger: {root} 下没有 ledger/main.beancount（用法：sunledger check [ROOT]）", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    problems = check_root(root, jobs=max(1, jobs), as_of=args.as_of, cache=not args.no_cache)
    if args.json:
        json.dump([p.as_json(root) for p in problems], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for p in problems:
            print(p.line(root))
        errors = sum(1 for p in problems if p.level == "error")
        warns = len(problems) - errors
        print(f"检查完毕：{errors} 个错误，{warns} 个警告", file=sys.stderr)
    return 1 if any(p.level == "error" for p in problems) else 0


def _seal(args: argparse.Namespace) -> int:
    from .sealing import SealError, seal_month

    try:
        line = seal_month(Path(args.root).resolve(), args.fund, args.month, args.date)
    except SealError as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return exc.status
    print(line)
    return 0


def _close(args: argparse.Namespace) -> int:
    from .closing import Closed, CloseError, close_month
    from .sealing import SealError

    def show(closed: Closed) -> None:
        for note in closed.notes:
            print(note, file=sys.stderr)
        if closed.report:
            print(closed.report, end="")
        for rel in closed.written:
            print(f"已写入 {rel}")

    statement = Path(args.statement) if args.statement else None
    try:
        closed = close_month(Path(args.root).resolve(), args.fund, args.month, statement, args.date)
    except CloseError as exc:
        show(exc.closed)
        print(f"sunledger: {exc}", file=sys.stderr)
        return exc.status
    except SealError as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return exc.status
    show(closed)
    print(closed.seal)
    return 0


def _init(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, district_files, write

    root = Path(args.dir).resolve()
    try:
        files = district_files(args.name, node_id=args.node, level=args.level, site_url=args.site_url)
        write(root, files)
    except ScaffoldError as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return 2
    print(f"已在 {root} 建立 {args.name} 的账本仓库（{len(files)} 个文件）。下一步：")
    print(f"  cd {root} && git init && make setup && .venv/bin/sunledger new-fund 代码 --name 基金名称 --level community --parent {args.node}")
    return 0


def _new_fund(args: argparse.Namespace) -> int:
    from .content.load import load_content
    from .scaffold import NewFund, ScaffoldError, fund_files, write

    root = Path(args.root).resolve()
    opened = args.opened or dt.date.today().replace(day=1)
    fund = NewFund(args.code, args.name, args.level, args.parent, opened, args.kind)
    try:
        files = fund_files(root, fund, load_content(root, frozenset()).config)
        write(root, files)
    except ScaffoldError as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return 2
    for rel in files:
        print(rel)
    print(f"已建立基金 {args.name}（{args.code}）。记账：ledger/funds/{args.code}/txns/；项目：content/funds/{args.code}/projects/")
    return 0


def _adopt(args: argparse.Namespace) -> int:
    from . import adopt
    from .content.load import load_content
    from .rules.options import read_lines
    from .scaffold import NewFund, ScaffoldError, write

    root = Path(args.root).resolve()
    main = root / "ledger" / "main.beancount"
    if not main.is_file():
        print(f"sunledger: {root} 下没有 ledger/main.beancount：先运行 sunledger init", file=sys.stderr)
        return 2
    cutover = args.cutover
    if cutover is not None and cutover.day != 1:
        print(f"sunledger: --cutover 应为某月 1 日（月度公示从这个月开始），例如 {cutover:%Y-%m}-01", file=sys.stderr)
        return 2
    content = load_content(root, frozenset())
    taken = frozenset(fc.fund.account_code for fc in content.funds.values())
    try:
        books = adopt.read_books([Path(p) for p in args.paths])
        analysis = adopt.analyse(args.code, books, content.config, read_lines(main.read_text(encoding="utf-8")), cutover, taken)
        if args.source:
            fund_yml = Path(args.source).read_text(encoding="utf-8")
            given = reading = adopt.fund_from(fund_yml, args.code)
            fund = NewFund(given.code, given.name, given.level, given.parent or "", given.opened, given.kind)
        else:
            fund = NewFund(args.code, args.name or "待填：基金名称", args.level or "待填", args.parent or "待填", analysis.opened, args.kind)
            fund_yml = adopt.proposal(analysis, fund)
            reading = adopt.for_reading(fund_yml)
        print(adopt.report(analysis, books, reading, content.config), end="")
        if not args.write:
            if args.output:
                Path(args.output).write_text(fund_yml, encoding="utf-8")
                print(f"fund.yml 建议已写入 {args.output}：核对、补上“待定”的项后运行 sunledger adopt {args.code} … --write --from {args.output}")
            else:
                print(f"\n# ---- content/funds/{args.code}/fund.yml 建议 ----")
                print(fund_yml, end="")
            return 0
        if not args.source and not (args.name and args.level and args.parent):
            raise adopt.AdoptError("--write 需要 --name、--level、--parent（或用 --from 给出核对过的 fund.yml）")
        files = adopt.files_for(root, fund, books, fund_yml, analysis.options if args.add_options else None)
        write(root, files)
    except (adopt.AdoptError, ScaffoldError) as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return 2
    for rel in files:
        print(f"已写入 {rel}")
    print(f"下一步：sunledger check；还缺的项见上面，接入后的新账写在 ledger/funds/{args.code}/txns/")
    return 0


def _balances(args: argparse.Namespace) -> int:
    from .district import load_district
    from .ledger.attribution import attribute, source_balances
    from .terminal import pad

    root = Path(args.root).resolve()
    as_of = args.as_of
    district = load_district(root)
    if args.fund not in district.books:
        print(f"sunledger: 没有基金 {args.fund}（有：{'、'.join(sorted(district.books))}）", file=sys.stderr)
        return 2
    txns = [t for t in district.books[args.fund].txns if as_of is None or t.date <= as_of]
    moves = [m for m in district.attribution.moves if m.fund == args.fund and (as_of is None or m.date <= as_of)]
    att = attribute(txns, district.classify, district.config, moves)
    rows = source_balances(att, args.fund, [s.name for s in district.config.sources])
    if args.json:
        json.dump([{"source": r.source, "free": str(r.free), "restricted": {k: str(v) for k, v in r.restricted.items()},
                    "total": str(r.total)} for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    day = as_of.isoformat() if as_of else (txns[-1].date.isoformat() if txns else "—")
    print(f"{district.books[args.fund].fc.fund.name}（{args.fund}）截至 {day} 各来源余额（元）")
    print(pad("来源", 10, left=True) + "".join(pad(h, 14) for h in ("非定向", "定向", "合计")))
    for r in rows:
        amounts = (r.free, sum(r.restricted.values()), r.total)
        print(pad(r.source, 10, left=True) + "".join(pad(f"{x:,.2f}", 14) for x in amounts))
        for project, left in r.restricted.items():
            print(f"  定向给 {project}：{left:,.2f}")
    negative = [r.source for r in rows if r.free < 0]
    if negative:
        print(f"注意：{'、'.join(negative)}的非定向余额为负（SL107/SL108）", file=sys.stderr)
    return 0


def _explain(args: argparse.Namespace) -> int:
    """What a code means, why its rule exists, how to fix it; an unknown code lists the close ones."""
    from .errors import close_to, codes, explanation

    lang = args.lang
    code = (args.code or "").strip().upper()
    if not code:  # every code, one line each
        print("\n".join(f"{c}  {getattr(row.heading, lang)}" for c, row in codes().items()))
        return 0
    if code not in codes():
        named = [(c, getattr(codes()[c].heading, lang)) for c in close_to(code)]
        near = "、".join(f"{c}（{t}）" for c, t in named) if lang == "zh" else ", ".join(f"{c} ({t})" for c, t in named)
        if lang == "zh":
            text = f"sunledger: 没有代码“{args.code}”" + (f"；相近的有：{near}" if near else "") + "。全部代码：sunledger explain"
        else:
            text = f"sunledger: no code \"{args.code}\"" + (f"; close ones: {near}" if near else "") + ". All codes: sunledger explain"
        print(text, file=sys.stderr)
        return 2
    print(explanation(code, lang), end="")
    return 0


def _checksum(args: argparse.Namespace) -> int:
    """The checksums the site's pages state, computed as the site computes them (site/parts.py)."""
    import datetime as dt

    from .district import funds_checksum
    from .site import parts
    from .site.buildinfo import commit
    from .views.level import tree

    root = Path(args.root).resolve()
    day = commit(root).commit_date or dt.date.today()  # the site's day: its cache answers
    built = parts.build(root, day, downloads=False)
    sums = {code: p.checksum for code, p in sorted(built.parts.items())}
    unknown = [c for c in args.codes if c not in sums and c not in tree(built.district).places]
    if unknown:
        print(f"sunledger: 没有基金或节点 {'、'.join(unknown)}", file=sys.stderr)
        return 2
    places = tree(built.district)
    for key in args.codes or list(sums):
        if key in sums:
            print(f"{key}\t{sums[key]}\t基金账本（{len(built.parts[key].files)} 个文件）")
        else:
            below = places.funds_below(key)
            print(f"{key}\t{funds_checksum({c: sums[c] for c in below})}\t下辖 {len(below)} 个基金")
    if not args.codes:
        print(f"全区\t{built.district.checksum}\t全区账本")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="sunledger", description="阳光账本：社区基金账本的检查与公示")
    ap.add_argument("--version", action="version", version=f"sunledger {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="检查账本与 content/，一次列出全部问题")
    c.add_argument("root", nargs="?", default=".", help="区级根目录（含 sunledger.yml、ledger/、content/），默认当前目录")
    c.add_argument("--json", action="store_true", help="以 JSON 输出，供程序读取")
    c.add_argument("--jobs", "-j", type=int, default=None, help="并行检查的进程数（默认 CPU 核数；1 为整体加载 main.beancount）")
    c.add_argument("--no-cache", action="store_true", help="不用上次检查的结果（默认按内容复用未改动基金的结果，存在 .sunledger-cache/）")
    c.add_argument("--as-of", type=_day, default=None, help="按哪一天判断公示是否逾期（默认今天）")
    c.set_defaults(func=_check)
    s = sub.add_parser("seal", help="封存一个已公示的月份")
    s.add_argument("fund", help="基金代码，如 Guangming")
    s.add_argument("month", help="月份 YYYY-MM")
    s.add_argument("--root", default=".", help="区级根目录，默认当前目录")
    s.add_argument("--date", default=None, help="封存日期 YYYY-MM-DD，默认今天")
    s.set_defaults(func=_seal)
    m = sub.add_parser("close", help="月末一步完成：导入对账单、对账、写月末余额断言、封存")
    m.add_argument("fund", help="基金代码，如 Guangming")
    m.add_argument("month", help="月份 YYYY-MM")
    m.add_argument("--statement", default=None, help="银行对账单文件（CSV/XLSX）；不给时该月须已有月末余额断言")
    m.add_argument("--root", default=".", help="区级根目录，默认当前目录")
    m.add_argument("--date", default=None, help="封存日期 YYYY-MM-DD，默认今天")
    m.set_defaults(func=_close)
    i = sub.add_parser("init", help="建立一个新区的账本仓库（配置、总账、层级、网站、CI）")
    i.add_argument("dir", help="新仓库的目录（可以已存在，但不能已有同名文件）")
    i.add_argument("--name", required=True, help="区的名称，如“某某区社区基金”")
    i.add_argument("--node", default="district", help="最上层节点的编号（默认 district）")
    i.add_argument("--level", default="district", help="最上层节点的层级：district/street/community（默认 district）")
    i.add_argument("--site-url", required=True, help="网站发布后的网址，如 https://用户名.github.io/仓库名/（公示二维码用；构建拒绝 example.org 之类的示例网址）")
    i.set_defaults(func=_init)
    f = sub.add_parser("new-fund", help="新增一个基金：账本入口、月份、封账文件和资料，一次写好")
    f.add_argument("code", help="基金代码（账本科目的第二段），如 Guangming")
    f.add_argument("--name", required=True, help="基金名称，如“光明社区基金”")
    f.add_argument("--level", required=True, help="层级：district/street/community/compound")
    f.add_argument("--parent", required=True, help="上级节点或基金的编号（content/district.yml）")
    f.add_argument("--opened", type=_day, default=None, help="开始用阳光账本记账的日期 YYYY-MM-DD（默认本月一日）")
    f.add_argument("--kind", default="社区基金", help="基金类型，如 社区公益基金、小区共享发展金")
    f.add_argument("--root", default=".", help="区级根目录，默认当前目录")
    f.set_defaults(func=_new_fund)
    a = sub.add_parser("adopt", help="接入别处记的账：列出科目对应关系和缺项，建议 fund.yml；--write 原样复制账本并写好基金文件")
    a.add_argument("code", help="基金代码，如 Xingfu")
    a.add_argument("paths", nargs="+", metavar="PATH", help="外来账本的主文件（其中 include 的文件一并带入）")
    a.add_argument("--cutover", type=_day, default=None, help="接入日期 YYYY-MM-01：此前的账只作为期初余额（默认账上最后一笔的下个月 1 日）")
    a.add_argument("--write", action="store_true", help="写入：复制账本到 ledger/funds/CODE/books/，写 fund.beancount 和 fund.yml")
    a.add_argument("--add-options", action="store_true",
                   help="与 --write 同用：把外来账本需要的 option 行（如 booking_method）加进 main.beancount 和每个基金的 fund.beancount，全区按同一种方式读账")
    a.add_argument("--from", dest="source", default=None, metavar="FILE", help="用核对过的 fund.yml（先不加 --write 用 -o 得到建议）")
    a.add_argument("-o", "--output", default=None, help="把 fund.yml 建议写到这个文件（默认打印）")
    a.add_argument("--name", default=None, help="基金名称")
    a.add_argument("--level", default=None, help="层级：district/street/community/compound")
    a.add_argument("--parent", default=None, help="上级节点或基金的编号")
    a.add_argument("--kind", default="社区基金", help="基金类型")
    a.add_argument("--root", default=".", help="区级根目录，默认当前目录")
    a.set_defaults(func=_adopt)
    b = sub.add_parser("balances", help="各来源的余额：非定向和定向（按项目），提前看到 SL107/SL108")
    b.add_argument("fund", help="基金代码，如 Guangming")
    b.add_argument("--as-of", type=_day, default=None, help="截至哪一天 YYYY-MM-DD（默认账上最后一天）")
    b.add_argument("--json", action="store_true", help="以 JSON 输出")
    b.add_argument("--root", default=".", help="区级根目录，默认当前目录")
    b.set_defaults(func=_balances)
    k = sub.add_parser("checksum", help="网站每页页脚写的校验和：基金账本的、各级节点（下辖基金）的、全区的")
    k.add_argument("codes", nargs="*", help="基金代码或 district.yml 的节点编号；不写则列出全部基金和全区")
    k.add_argument("--root", default=".", help="区级根目录，默认当前目录")
    k.set_defaults(func=_checksum)
    e = sub.add_parser("explain", help="说明一个错误代码：含义、为什么要查、怎么改（可复制的写法）")
    e.add_argument("code", nargs="?", default=None, help="错误代码，如 SL102；不写则列出全部代码")
    e.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言：zh 中文（默认）或 en 英文")
    e.set_defaults(func=_explain)
    # these two keep their own argument parsers; here they are only listed and handed on
    for name, text in (("import", "导入银行/支付宝/微信对账单，跳过账本里已有的交易"), ("reconcile", "对账：对账单与账本逐月核对，列出两边对不上的行"),
                       ("publish", "检查、构建网站并原子地替换 site（失败时保留上一次的网站）")):
        d = sub.add_parser(name, help=text, add_help=False)
        d.add_argument("rest", nargs=argparse.REMAINDER)
        d.set_defaults(func=_delegate(name))
    return ap


def _delegate(name: str):
    def run(args: argparse.Namespace) -> int:
        if name == "publish":
            from . import publish

            return publish.main(args.rest)
        from .importers import cli as importers

        return (importers.import_main if name == "import" else importers.reconcile_main)(args.rest)

    return run


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in ("import", "reconcile", "publish"):  # argparse's REMAINDER would swallow their --help
            args = argparse.Namespace(rest=argv[1:], func=_delegate(argv[0]))
        else:
            args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # no traceback for any input: say what broke, in one line
        print(f"sunledger: {said('SL009', f'内部错误：{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
