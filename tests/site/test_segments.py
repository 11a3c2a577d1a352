"""Material's jieba cuts are remembered by text, jieba and Material, and give what jieba gives."""

from __future__ import annotations

from types import SimpleNamespace

from material.plugins.search.plugin import SearchIndex

from sunledger.site.parts import Store
from sunledger.site.segments import NAME, Segments

TEXTS = ["剪纸非遗传承课堂（2026年）", "楼道照明改造：光明社区 3 栋", "长者集市"]


def _config(user_dict: str | None = None):
    return SimpleNamespace(jieba_dict=None, jieba_dict_user=user_dict)


def test_a_second_build_cuts_nothing_and_gets_the_same_words(tmp_path):
    plain = [SearchIndex()._segment_chinese(t) for t in TEXTS]  # Material as it is: jieba itself
    first = SearchIndex()
    seg = Segments(tmp_path, first, _config(), cache=True)
    assert [first._segment_chinese(t) for t in TEXTS] == plain
    seg.save()

    second = SearchIndex()
    again = Segments(tmp_path, second, _config(), cache=True)
    calls = []
    cut = again.cut
    again.cut = lambda data: calls.append(data) or cut(data)  # counts what reaches jieba
    assert [second._segment_chinese(t) for t in TEXTS] == plain
    assert calls == []
    assert second._segment_chinese("新写的一段话") == SearchIndex()._segment_chinese("新写的一段话")
    assert calls == ["新写的一段话"]
    again.save()
    kept = Store(tmp_path).get(NAME, again.key, dict)
    assert set(kept) == {*TEXTS, "新写的一段话"}


def test_only_the_texts_of_the_last_build_are_kept(tmp_path):
    seg = Segments(tmp_path, SearchIndex(), _config(), cache=True)
    seg("旧的一页")
    seg.save()
    later = Segments(tmp_path, SearchIndex(), _config(), cache=True)
    later("新的一页")
    later.save()
    assert set(Store(tmp_path).get(NAME, later.key, dict)) == {"新的一页"}


def test_another_user_dictionary_is_another_key(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("非遗传承 10 n\n", encoding="utf-8")
    plain = Segments(tmp_path, SearchIndex(), _config(), cache=True)
    with_words = Segments(tmp_path, SearchIndex(), _config(str(words)), cache=True)
    assert plain.key != with_words.key
    words.write_text("剪纸课堂 10 n\n", encoding="utf-8")
    assert Segments(tmp_path, SearchIndex(), _config(str(words)), cache=True).key != with_words.key


def test_without_the_cache_nothing_is_read_or_kept(tmp_path):
    seg = Segments(tmp_path, SearchIndex(), _config(), cache=True)
    seg("长者集市")
    seg.save()
    off = Segments(tmp_path, SearchIndex(), _config(), cache=False)
    assert off.kept == {}
    off("别的")
    off.save()
    assert set(Store(tmp_path).get(NAME, off.key, dict)) == {"长者集市"}
