"""How real department data spells things: full-width digits, traditional characters, pinyin."""

from __future__ import annotations

_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
_HALFWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_TRADITIONAL = str.maketrans(
    "张刘陈杨黄赵吴孙马郑谢韩冯邓萧叶苏卢钟谭陆顾龚钱严伟丽军艳杰娟涛华兰萍红"
    "建国辉斌波浩凯鹏飞鑫婷雪梅海燕宁涵轩桐诗琪远嘉豪俊晓东志刚春秋",
    "張劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇盧鍾譚陸顧龔錢嚴偉麗軍艷傑娟濤華蘭萍紅"
    "建國輝斌波浩凱鵬飛鑫婷雪梅海燕寧涵軒桐詩琪遠嘉豪俊曉東志剛春秋",
)
# 姓 → 拼音 with tone marks, for the annotations some registries carry: 孫(sūn)建華.
PINYIN = {
    "王": "wáng", "李": "lǐ", "张": "zhāng", "刘": "liú", "陈": "chén", "杨": "yáng",
    "黄": "huáng", "赵": "zhào", "吴": "wú", "周": "zhōu", "徐": "xú", "孙": "sūn",
    "马": "mǎ", "朱": "zhū", "胡": "hú", "郭": "guō", "何": "hé", "高": "gāo", "林": "lín",
    "罗": "luó", "郑": "zhèng", "梁": "liáng", "谢": "xiè", "宋": "sòng", "唐": "táng",
    "许": "xǔ", "韩": "hán", "冯": "féng", "邓": "dèng", "曹": "cáo", "彭": "péng",
    "曾": "zēng", "肖": "xiāo", "田": "tián", "董": "dǒng", "袁": "yuán", "潘": "pān",
    "于": "yú", "蒋": "jiǎng", "蔡": "cài", "余": "yú", "杜": "dù", "叶": "yè", "程": "chéng",
    "苏": "sū", "魏": "wèi", "吕": "lǚ", "丁": "dīng", "任": "rén", "沈": "shěn", "姚": "yáo",
    "卢": "lú", "姜": "jiāng", "崔": "cuī", "钟": "zhōng", "谭": "tán", "陆": "lù",
    "汪": "wāng", "范": "fàn", "金": "jīn", "石": "shí", "廖": "liào", "贾": "jiǎ",
    "夏": "xià", "韦": "wéi", "付": "fù", "方": "fāng", "白": "bái", "邹": "zōu",
    "孟": "mèng", "熊": "xióng", "秦": "qín", "邱": "qiū", "江": "jiāng", "尹": "yǐn",
    "薛": "xuē", "闫": "yán", "段": "duàn", "雷": "léi", "侯": "hóu", "龙": "lóng",
    "史": "shǐ", "陶": "táo", "黎": "lí", "贺": "hè", "顾": "gù", "毛": "máo", "郝": "hǎo",
    "龚": "gōng", "邵": "shào", "万": "wàn", "钱": "qián", "严": "yán", "覃": "qín",
    "武": "wǔ", "戴": "dài", "莫": "mò", "孔": "kǒng", "向": "xiàng", "汤": "tāng",
}  # fmt: skip


def fullwidth(text: str) -> str:
    """Digits and full stops as full-width characters: ８８号, １２０．５."""
    return text.translate(_FULLWIDTH)


def halfwidth(text: str) -> str:
    """Full-width digits and full stops back to ASCII."""
    return text.translate(_HALFWIDTH)


def traditional(text: str) -> str:
    """The text in traditional characters, as far as this small table knows them."""
    return text.translate(_TRADITIONAL)


def has_traditional(text: str) -> bool:
    """Whether ``traditional`` would change anything in the text."""
    return traditional(text) != text


def in_traditional(text: str) -> bool:
    """Whether the text holds a character that this table writes traditionally."""
    return any(chr(v) in text for k, v in _TRADITIONAL.items() if k != v)


def with_pinyin(name: str, surname: str) -> str:
    """The name with its surname's pinyin after the first character: 孫(sūn)建華."""
    return f"{name[0]}({PINYIN[surname]}){name[1:]}"
