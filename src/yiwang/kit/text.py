"""Text normalisation for data arriving from other departments' systems.

Traditional→simplified conversion (繁简转换), full-width→half-width (全角转半角), and removal of
inline pinyin readings such as ``中國(guó)``.

Half-width policy: full-width digits, Latin letters and symbols (U+FF01–U+FF5E) become ASCII
and the ideographic space U+3000 a space, except the seven marks in ``CJK_PUNCTUATION``
(！（），：；？), which GB/T 15834 uses as ordinary Chinese punctuation; marks outside that
block (、。「」“”《》) are never touched.

Pinyin policy: a bracketed group (ASCII or full-width brackets) right after a Chinese character
is a reading when every word in it splits into legal syllables (``PINYIN_SYLLABLES``), written
lower-case or capitalised, and
- some word carries a tone (marks ā á ǎ à ǖ…, ă for ǎ, or digits 0–5): ``中國(zhōng guó)``,
  ``北京（Běijīng）``, ``(zhong1)``; spaces between the character and the bracket are allowed; or
- it is one untoned syllable of two or more letters touching the character: ``字(an)``.
So ``(a)``/``(e)``/``(o)`` stay (list labels far more often than readings), untoned
``(zhong guo)`` stays (it cannot be told from English), and ``(CPU)``, ``(试行)``, ``(2)``,
``(see note)``, ``(in English)`` all stay. An accented foreign word that happens to spell pinyin
after a Chinese character (``简历(résumé)``) is stripped too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Protocol


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def _t2s() -> _Converter:
    """Build the OpenCC traditional→simplified converter once, on first use."""
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def to_simplified(s: str) -> str:
    """Convert traditional Chinese characters to simplified ones with OpenCC's ``t2s`` table."""
    if not s:
        return s
    return _t2s().convert(s)


# Full-width marks that GB/T 15834 (标点符号用法) uses as Chinese punctuation; kept by default.
CJK_PUNCTUATION = frozenset("！（），：；？")

_HALFWIDTH_ALL = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_HALFWIDTH_KEEP_PUNCT = {
    cp: to for cp, to in _HALFWIDTH_ALL.items() if chr(cp) not in CJK_PUNCTUATION
}


def to_halfwidth(s: str, *, keep_cjk_punctuation: bool = True) -> str:
    """Map full-width ASCII forms and U+3000 to ASCII, keeping ！（），：；？ by default."""
    return s.translate(_HALFWIDTH_KEEP_PUNCT if keep_cjk_punctuation else _HALFWIDTH_ALL)


# --- pinyin -------------------------------------------------------------------------------------

# Every legal Hanyu Pinyin syllable, without tones, ü written as v. Grouped by initial.
_SYLLABLE_TABLE = """
a ai an ang ao e ei en eng er o ou
yi ya yan yang yao ye yin ying yo yong you yu yuan yue yun
wu wa wai wan wang wei wen weng wo
ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
fa fan fang fei fen feng fo fou fu
da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo
ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun
nuo nv nve nue
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun
luo lv lve lue
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui
zhun zhuo
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo
sa sai san sang sao se sen seng si song sou su suan sui sun suo
"""
_WORD_SYLLABLES = frozenset(_SYLLABLE_TABLE.split())
# Interjections (嗯 ń, 呣 ḿ, 哼 hng, 欸 ê …) only ever stand alone, never inside a longer word.
_INTERJECTIONS = frozenset({"ê", "m", "n", "ng", "hm", "hng"})
PINYIN_SYLLABLES = _WORD_SYLLABLES | _INTERJECTIONS
_LONGEST_SYLLABLE = max(map(len, _WORD_SYLLABLES))

# Combining tone marks: macron (1), acute (2), caron (3), grave (4), and the breve that input
# methods often produce instead of the caron (ă for ǎ).
_TONE_MARKS = frozenset("\u0304\u0301\u030c\u0300\u0306")
_ALT_LETTERS = {"ɑ": "a", "ɡ": "g"}  # the "pinyin font" forms of a and g

_HAN = r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_ANNOTATION = re.compile(
    rf"(?P<han>{_HAN})(?P<gap>[ \t\u3000]*)[(（](?P<body>[^()（）\n]{{1,80}})[)）]"
)


def _count_syllables(letters: str) -> int:
    """Return the largest number of legal syllables ``letters`` splits into, or 0 if it cannot."""
    if letters in _INTERJECTIONS:
        return 1
    # best[i]: most syllables that letters[:i] splits into, or 0 when it cannot be split.
    best = [0] * (len(letters) + 1)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - _LONGEST_SYLLABLE), end):
            if (start == 0 or best[start]) and letters[start:end] in _WORD_SYLLABLES:
                best[end] = max(best[end], best[start] + 1)
    return best[-1]


def _read_pinyin_word(word: str) -> tuple[int, int, str] | None:
    """Parse one pinyin word into (syllables, tones, letters), or None if it is not pinyin."""
    if not (word.islower() or (word[0].isupper() and word[1:].islower())):
        return None
    pieces: list[str] = []
    current = ""
    tones = 0
    for ch in unicodedata.normalize("NFD", word.lower()):
        ch = _ALT_LETTERS.get(ch, ch)
        if "a" <= ch <= "z":
            current += ch
        elif ch in _TONE_MARKS and current:
            tones += 1
        elif ch in "\u0308:" and current.endswith("u"):  # ü, or u: as in lu:4
            current = current[:-1] + "v"
        elif ch == "\u0302" and current.endswith("e"):  # ê
            current = current[:-1] + "ê"
        elif ch in "012345" and current and current[-1] not in "012345":
            current += ch
            tones += 1
        elif ch in "'’-" and current:
            pieces.append(current)
            current = ""
        else:
            return None
    pieces.append(current)
    syllables = 0
    for piece in pieces:
        for part in re.split(r"[0-5]", piece):
            if part:
                count = _count_syllables(part)
                if not count:
                    return None
                syllables += count
            elif piece == part:
                return None
    if tones > syllables:
        return None
    return syllables, tones, "".join(pieces)


def _is_pinyin_annotation(body: str, *, directly_after_han: bool) -> bool:
    """Tell whether a bracketed group is a pinyin reading (module docstring has the rules)."""
    words = body.split()
    if not words:
        return False
    parsed = [_read_pinyin_word(word) for word in words]
    if any(p is None for p in parsed):
        return False
    readings = [p for p in parsed if p is not None]
    if any(tones for _, tones, _ in readings):
        return True
    if not directly_after_han or len(readings) != 1:
        return False
    letters = readings[0][2]
    return letters in PINYIN_SYLLABLES and len(letters) >= 2 and body.islower()


def strip_pinyin_annotations(s: str) -> str:
    """Remove bracketed pinyin readings after Chinese characters: ``中國(guó)`` → ``中國``."""

    def replace(match: re.Match[str]) -> str:
        """Keep the character alone when its bracketed group is a reading."""
        body = match.group("body").strip()
        directly = not match.group("gap")
        if _is_pinyin_annotation(body, directly_after_han=directly):
            return match.group("han")
        return match.group(0)

    return _ANNOTATION.sub(replace, s)


_WHITESPACE = re.compile(r"\s+")


def clean_text(s: str) -> str:
    """Strip pinyin readings, simplify, half-width, collapse whitespace (newlines too), strip."""
    s = strip_pinyin_annotations(s)
    s = to_simplified(s)
    s = to_halfwidth(s)
    return _WHITESPACE.sub(" ", s).strip()


# The separator of minority and foreign names (间隔号) is typed many ways; GB/T 15834 uses U+00B7.
_NAME_SEPARATORS = str.maketrans(dict.fromkeys("•・‧∙⋅．·", "·"))


def clean_person_name(s: str) -> str:
    """A person's name as departments should compare it: cleaned, one kind of 间隔号, no spaces
    around it (``阿依古丽・买买提`` and ``阿依古丽 · 买买提`` → ``阿依古丽·买买提``)."""
    name = clean_text(s.translate(_NAME_SEPARATORS))
    name = re.sub(r"(?<=[\u4e00-\u9fff])\s*\.\s*(?=[\u4e00-\u9fff])", "·", name)
    return re.sub(r"\s*·\s*", "·", name)
