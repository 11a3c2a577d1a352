"""What of a statement line may enter the ledger.

A statement names the counterparty and often its account number. The account
number never enters the ledger; a person's name enters masked (张*), an
organisation's name as it is. Free text (摘要, 附言, 商品说明) loses phone,
ID-card and bank-card numbers and the unmasked name of the person.
"""

from __future__ import annotations

from ..privacy import find_private, is_masked, mask_name

# Words that make a name an organisation (or a group), not a private person.
ORG_WORDS = (
    "公司", "集团", "有限", "股份", "银行", "支行", "分行", "信用社", "信用合作", "财付通", "支付宝",
    "局", "办事处", "委员会", "居委会", "村委会", "政府", "街道", "社区", "中心", "协会", "学会",
    "基金会", "商会", "联合会", "合作社", "服务社", "事务所", "工作室", "经营部", "门市", "商行",
    "超市", "药房", "医院", "卫生院", "学校", "小学", "中学", "幼儿园", "大学", "研究院",
    "党支部", "党委", "支部", "团委", "妇联", "工会", "物业", "市集", "小组", "服务队", "志愿",
    "团队", "俱乐部", "财政", "税务", "国库", "部队", "科技", "商贸", "贸易", "电器", "建材",
)
# A name ending in one of these is an organisation when it is longer than a person's name.
ORG_ENDINGS = ("社", "站", "馆", "店", "部", "院", "所", "处", "厅", "会", "队", "团", "厂", "行", "场", "园", "校")

PLACEHOLDERS = ("", "/", "-", "--", "无", "null", "None")


def is_organisation(name: str, group_words: tuple[str, ...] = ()) -> bool:
    if any(w in name for w in ORG_WORDS) or any(w in name for w in group_words):
        return True
    return len(name) >= 5 and name.endswith(ORG_ENDINGS)


def public_name(name: str, group_words: tuple[str, ...] = ()) -> str:
    """The counterparty as the ledger may show it: organisations as they are, persons masked."""
    name = " ".join(name.split())
    if name in PLACEHOLDERS:
        return ""
    if is_masked(name) or is_organisation(name, group_words):
        return redact(name)
    return mask_name(name)


def redact(text: str, person: str = "") -> str:
    """Free text without private numbers, and without `person`'s unmasked name."""
    text = " ".join(text.split())
    if text in PLACEHOLDERS:
        return ""
    for _code, found in list(find_private(text)):
        text = text.replace(found, "（号码已删除）")
    if person and len(person) >= 2 and not is_masked(person):
        text = text.replace(person, mask_name(person))
    return text
