import pytest

from yiwang.kit import text
from yiwang.kit.text import (
    PINYIN_SYLLABLES,
    clean_person_name,
    clean_text,
    strip_pinyin_annotations,
    to_halfwidth,
    to_simplified,
)

# --- 繁简转换 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("中國西藏網", "中国西藏网"),
        ("國務院辦公廳", "国务院办公厅"),
        ("營業執照", "营业执照"),
        ("臺灣", "台湾"),
        ("身份證號碼", "身份证号码"),
        ("已是简体", "已是简体"),
        ("ABC 123", "ABC 123"),
        ("", ""),
    ],
)
def test_to_simplified(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified


def test_converter_is_built_lazily_and_once() -> None:
    text._t2s.cache_clear()
    assert text._t2s.cache_info().currsize == 0
    to_simplified("")  # nothing to convert: no converter needed
    assert text._t2s.cache_info().currsize == 0
    to_simplified("國")
    to_simplified("網")
    info = text._t2s.cache_info()
    assert (info.misses, info.hits) == (1, 1)


# --- 全角转半角 ---------------------------------------------------------------------------------


def test_full_width_letters_digits_and_symbols_become_ascii() -> None:
    assert to_halfwidth("ＡＢＣ１２３") == "ABC123"
    assert to_halfwidth("ａｂｃｘｙｚ") == "abcxyz"
    symbols = "＃＄％＆＊＋－．／＜＝＞＠［＼］＾＿｀｛｜｝～"
    assert to_halfwidth(symbols) == "#$%&*+-./<=>@[\\]^_`{|}~"
    assert to_halfwidth("Ａ\u3000Ｂ") == "A B"


def test_whole_block_maps_onto_ascii_when_punctuation_is_not_kept() -> None:
    full = "".join(chr(cp) for cp in range(0xFF01, 0xFF5F))
    ascii_ = "".join(chr(cp) for cp in range(0x21, 0x7F))
    assert to_halfwidth(full, keep_cjk_punctuation=False) == ascii_


def test_chinese_punctuation_is_kept_by_default() -> None:
    assert to_halfwidth("你好，世界！（测试）：是；否？") == "你好，世界！（测试）：是；否？"
    assert to_halfwidth("你好，世界！", keep_cjk_punctuation=False) == "你好,世界!"


def test_marks_outside_the_full_width_block_are_untouched() -> None:
    assert to_halfwidth("、。「」“”《》·—") == "、。「」“”《》·—"
    assert to_halfwidth("ｶﾀｶﾅ") == "ｶﾀｶﾅ"  # half-width katakana is already half-width


# --- 拼音注音 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotated", "stripped"),
    [
        ("中國(guó)西藏網(wǎng)", "中國西藏網"),
        ("中（zhōng）国", "中国"),
        ("中(zhong1)国", "中国"),
        ("中国(zhōng guó)", "中国"),
        ("中国（zhong1 guo2）人", "中国人"),
        ("中国(zhong1guo2)", "中国"),
        ("北京（Běijīng）市", "北京市"),
        ("西安(Xī'ān)", "西安"),
        ("西安(xī’ān)", "西安"),
        ("绿(lǜ)", "绿"),
        ("绿(lv4)", "绿"),
        ("绿(lu:4)", "绿"),
        ("女(nü3)", "女"),
        ("网(wăng)", "网"),  # breve typed instead of caron
        ("啊(a1)", "啊"),
        ("东西(dōng xi)", "东西"),  # neutral tone left unmarked
        ("嗯(ńg)", "嗯"),
        ("中 (zhōng)", "中"),  # toned reading may be spaced
        ("字(an)", "字"),  # untoned single syllable touching the character
        ("中(zhōng)國(guó)", "中國"),
        ("说(shuō)明(míng)与(yǔ)(a)", "说明与(a)"),
        ("中国(zho\u0304ng guo\u0301)", "中国"),  # decomposed tone marks
    ],
)
def test_pinyin_readings_are_removed(annotated: str, stripped: str) -> None:
    assert strip_pinyin_annotations(annotated) == stripped


@pytest.mark.parametrize(
    "kept",
    [
        "中央处理器(CPU)",
        "管理办法(试行)",
        "行政区划代码(GB/T 2260)",
        "第一条(2)",
        "第三款(a)",
        "第三款(e)",
        "第三款(o)",
        "第三款(iv)",
        "说明(in English)",
        "附件(see note)",
        "美国(US)",
        "中国(zhong guo)",  # untoned, several syllables: could be English
        "中国(Zhongguo)",
        "字 (an)",  # untoned and not touching
        "word(an)",
        "word (zhōng)",  # not after a Chinese character
        "(zhōng)",
        "天真(naïve)",
        "咖啡(café)",
        "编号(v2)",
        "地址(No. 5)",
        "单位(km)",
        "版本(2024年)",
        "中国(ZHŌNG GUÓ)",
        "中国(zhōng guó",  # unclosed
        "见(ā b)",  # b is not a syllable
        "见(zhōng1)",  # a mark and a digit on one syllable
        "第(1a)",
    ],
)
def test_ordinary_parentheses_are_kept(kept: str) -> None:
    assert strip_pinyin_annotations(kept) == kept


def test_syllable_table() -> None:
    for syllable in ("zhuang", "lve", "nv", "yuan", "er", "a", "o", "ng", "hm", "ê", "shei"):
        assert syllable in PINYIN_SYLLABLES
    for not_syllable in ("in", "see", "note", "b", "v", "zhiang", "bia", "fong", "gi", "ju:"):
        assert not_syllable not in PINYIN_SYLLABLES
    assert 400 <= len(PINYIN_SYLLABLES) <= 430


# --- clean_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("中國(guó)西藏網(wǎng)", "中国西藏网"),
        ("ＡＢＣ１２３", "ABC123"),
        ("  北京市\u3000朝陽區  \n\t建國路８８號 ", "北京市 朝阳区 建国路88号"),
        (
            "營業執照（yíng yè）：９１３５０１００Ｍ０００１００Ｙ４３",
            "营业执照：91350100M000100Y43",
        ),
        ("管理辦法(試行)", "管理办法(试行)"),
        ("", ""),
        (" \u3000\n ", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "typed",
    [
        "阿依古丽·买买提",
        "阿依古丽・买买提",
        "阿依古丽•买买提",
        "阿依古丽 · 买买提",
        "阿依古丽．买买提",
    ],
)
def test_name_separators_are_one_kind(typed: str) -> None:
    assert clean_person_name(typed) == "阿依古丽·买买提"


def test_clean_person_name_also_simplifies_and_strips_pinyin() -> None:
    assert clean_person_name("孫(sūn)建華") == "孙建华"
