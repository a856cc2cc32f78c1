"""The one name normaliser that every part of geomap uses.

Two levels:

* :func:`fold` maps text to a matching form **of the same length**, one
  character for one, so offsets found in folded text are offsets in the
  original: case folded, Vietnamese diacritics dropped, ``đ`` to ``d``,
  apostrophe and dash variants unified, traditional Chinese characters
  turned simplified (OpenCC's ``t2s``, character by character: 諒山 / 廣西 /
  中國 match 谅山 / 广西 / 中国).  Article text is NFC-normalised when
  read, so this holds for it.
* :func:`name_key` turns a place name into the key the gazetteer is looked up
  by: folded, punctuation dropped, generic words ("province", "tỉnh", "county",
  "县", "border gate", "cửa khẩu"...) removed, spaces collapsed.
  :func:`compact_key` also removes the spaces, so "Langson" meets "Lạng Sơn".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "GENERIC_WORDS",
    "CharMap",
    "compact_key",
    "fold",
    "fold_char",
    "name_key",
    "strip_generic",
    "translate_runs",
]

_APOSTROPHES = "'’‘ʼʻ`´′"
_DASHES = "‐‑‒–—―−-"
_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ı": "i"}


_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


@functools.lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    """OpenCC's traditional-to-simplified converter (loaded once, on the first Chinese character)."""
    import opencc

    return opencc.OpenCC("t2s.json").convert


def simplified(char: str) -> str:
    """The simplified form of one Chinese character (itself when it has none, or no single one)."""
    out = _t2s()(char)
    return out if len(out) == 1 else char


@functools.lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """Fold one character to exactly one character."""
    code = ord(char)
    if code >= 0x3400 and any(lo <= code <= hi for lo, hi in _CJK_RANGES):
        return simplified(char)
    if char in _SPECIAL:
        return _SPECIAL[char]
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    if char.isascii():
        return char.lower()
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    base = unicodedata.normalize("NFC", base).casefold()
    if len(base) == 1:
        return base
    lower = char.lower()
    return lower if len(lower) == 1 else char


class CharMap(dict):
    """A ``str.translate`` table of ``func`` (one character to a string), filled on first sight.

    A memo of a pure function, like :func:`functools.lru_cache`, that
    ``str.translate`` reads in C.  ``ascii`` is the same map for the 128 ASCII
    codes, as a plain table for translate's fast path.
    """

    def __init__(self, func: Callable[[str], str]) -> None:
        super().__init__()
        self._func = func
        self.ascii = {code: self[code] for code in range(128)}

    def __missing__(self, code: int) -> str:
        value = self[code] = self._func(chr(code))
        return value


_NON_ASCII_RUN = re.compile(r"([^\x00-\x7f]+)")


def translate_runs(text: str, table: CharMap) -> str:
    """``text.translate(table)``, fast: ASCII stretches go through ``table.ascii``, only other runs through ``table``."""
    parts = _NON_ASCII_RUN.split(text)  # ASCII, other, ASCII, other, ..., ASCII
    parts[0::2] = [part.translate(table.ascii) for part in parts[0::2]]
    parts[1::2] = [part.translate(table) for part in parts[1::2]]
    return "".join(parts)


def fold(text: str) -> str:
    """Fold ``text`` for matching; the result has the same length as ``text``."""
    if text.isascii():
        return text.lower()
    return "".join(map(fold_char, text))


# Generic words, folded, longest first so that "thanh pho" goes before "pho".
# Latin-script words are removed as whole words; CJK ones as name suffixes.
GENERIC_WORDS: tuple[str, ...] = (
    # English
    "international border gate",
    "international border crossing",
    "border crossing point",
    "border checkpoint",
    "border crossing",
    "border trade point",
    "main border gate",
    "secondary border gate",
    "auxiliary border gate",
    "main gate",
    "secondary gate",
    "border market",
    "border gate",
    "border port",
    "border station",
    "international highway port",
    "highway port",
    "land port",
    "international port",
    "port of entry",
    "international checkpoint",
    "national checkpoint",
    "local checkpoint",
    "checkpoint",
    "border opening",
    "border passage",
    "customs clearance lane",
    "clearance lane",
    "trade point",
    "autonomous region",
    "zhuang autonomous region",
    "autonomous prefecture",
    "autonomous county",
    "municipality",
    "prefecture-level city",
    "county-level city",
    "prefecture",
    "province",
    "provincial",
    "region",
    "district",
    "county",
    "city",
    "town",
    "township",
    "commune",
    "ward",
    "village",
    "port",
    "gate",
    "pass",
    "international",
    "railway station",
    "railway",
    "station",
    # Vietnamese (folded)
    "cua khau quoc te",
    "cua khau chinh",
    "cua khau phu",
    "cua khau song phuong",
    "cua khau quoc gia",
    "cua khau duong bo quoc te",
    "cua khau duong bo",
    "diem thong quan",
    "loi thong quan",
    "loi mo",
    "cho bien gioi",
    "cua khau",
    "thanh pho",
    "thi xa",
    "thi tran",
    "tinh",
    "huyen",
    "quan",
    "xa",
    "phuong",
    "ga",
    "tp",
    # Chinese (pinyin)
    "shi",
    "xian",
    "sheng",
    "zizhiqu",
    "kouan",
    "zhen",
)

_CJK_SUFFIXES = (
    "壮族自治区",
    "自治区",
    "自治州",
    "自治县",
    "国际口岸",
    "口岸",
    "边境口岸",
    "边民互市点",
    "互市点",
    "边民互市贸易区",
    "互市贸易区",
    "边民互市区",
    "公路口岸",
    "铁路口岸",
    "通道",
    "省",
    "市",
    "县",
    "区",
    "州",
    "镇",
    "乡",
)

_GENERIC_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in sorted(GENERIC_WORDS, key=len, reverse=True)) + r")\b"
)
_PUNCT_RE = re.compile(r"[^\w\s]+")


def _plain(text: str) -> str:
    """Fold, drop apostrophes, turn other punctuation into spaces, collapse spaces."""
    text = fold(unicodedata.normalize("NFC", text)).replace("'", "")
    # str.split() splits at exactly the characters \s matches: like re.sub(r"\s+") + strip, twice as fast
    return " ".join(_PUNCT_RE.sub(" ", text).replace("_", " ").split())


def strip_generic(key: str) -> str:
    """Remove generic words from an already folded key; keep it if nothing would remain."""
    stripped = " ".join(_GENERIC_RE.sub(" ", key).split())
    if stripped.isascii():  # no CJK suffix to drop (saves a third of a lookup's time)
        return stripped or key
    for suffix in _CJK_SUFFIXES:
        if stripped.endswith(suffix) and len(stripped) > len(suffix) + 1:
            stripped = stripped[: -len(suffix)]
            break
    return stripped or key


@functools.lru_cache(maxsize=131072)
def name_key(name: str) -> str:
    """The lookup key of a place name.

    >>> name_key("Tỉnh Lạng Sơn")
    'lang son'
    >>> name_key("Pu’er City") == name_key("Pu'er") == name_key("Puer")
    True
    >>> name_key("谅山省")
    '谅山'
    """
    return strip_generic(_plain(name))


def compact_key(name: str) -> str:
    """:func:`name_key` without spaces or hyphens, for run-together spellings ("Langson")."""
    return name_key(name).replace(" ", "").replace("-", "")
