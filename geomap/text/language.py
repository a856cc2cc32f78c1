"""The language of a report: which of geomap's languages it is written in, if any.

:func:`detect_language` looks at the scripts of a text's letters and, for
Latin script, at its commonest short words and Vietnamese letters:

* Chinese characters (Han) make ``"zh"`` once they outweigh the Latin letters
  (a Chinese character carries about as much as three letters);
* Thai, Lao, Khmer and Burmese script make ``"th"``, ``"lo"``, ``"km"``,
  ``"my"``: languages geomap does not read.  Their reports are read for
  place names only (the gazetteer's names in any script are still found),
  never for incidents or routes, and the run's summary says so;
* Latin script is ``"vi"`` when Vietnamese function words (của, và, được,
  đã...) or letters only Vietnamese uses (ă, ơ, ư, đ, ạ, ệ...) outweigh
  English function words, else ``"en"``.  A few Vietnamese place names in
  an English report ("police in Lạng Sơn said") leave it English;
* a text with no letters is ``"und"``.

The whole text is not needed: the first few thousand characters decide.
"""

from __future__ import annotations

import re

from geomap import lang

__all__ = ["READ_LANGUAGES", "UNREAD_NAMES", "detect_language"]

#: Languages whose incidents and routes geomap extracts.
READ_LANGUAGES = frozenset({"en", "vi", "zh"})
#: Languages recognised by their script and read for place names only.
UNREAD_NAMES = {"th": "Thai", "lo": "Lao", "km": "Khmer", "my": "Burmese"}

_SAMPLE = 3000  # characters looked at for their script
_WORDS_SAMPLE = 1200  # and for their words (a few hundred words tell English from Vietnamese)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SCRIPTS = {
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "lo": re.compile(r"[\u0e80-\u0eff]"),
    "km": re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]"),
    "my": re.compile(r"[\u1000-\u109f]"),
}
# Any character of those scripts: most texts have none, and their counts are then not needed.
_OTHER_SCRIPT = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Letters that Vietnamese uses and English, French or pinyin hardly do (geomap/lang/vi.yaml).
_VI_LETTERS = re.compile(f"[{lang.resources('vi')['language']['letters']}]", re.IGNORECASE)
_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’«»/|-–—…"
# Short words common in each language's reports (geomap/lang/*.yaml).
_VI_WORDS = frozenset(lang.resources("vi")["function_words"])
_EN_WORDS = frozenset(lang.resources("en")["function_words"])


def detect_language(text: str) -> str:
    """The language code of ``text``: ``"en"``, ``"vi"``, ``"zh"``, ``"th"``, ``"lo"``, ``"km"``, ``"my"`` or ``"und"``.

    Examples
    --------
    >>> detect_language("Border guards in Lang Son stopped 12 people.")
    'en'
    >>> detect_language("Đồn Biên phòng bắt giữ 3 đối tượng.")
    'vi'
    >>> detect_language("东兴边境管理大队查获冰毒5公斤。")
    'zh'
    >>> detect_language("ตำรวจจับกุมผู้ต้องสงสัย")
    'th'
    """
    sample = text[:_SAMPLE]
    if sample.isascii():
        return "en" if _LATIN.search(sample) else "und"
    if _OTHER_SCRIPT.search(sample) is not None:
        latin = len(_LATIN.findall(sample))
        others = {code: len(pattern.findall(sample)) for code, pattern in _SCRIPTS.items()}
        others["zh"] = len(_HAN.findall(sample))
        # a character of these scripts weighs about three Latin letters
        code, weight = max(others.items(), key=lambda item: item[1])
        if weight * 3 >= latin:
            return code
    elif _LATIN.search(sample) is None:
        return "und"
    vi_words = en_words = 0
    for word in sample[:_WORDS_SAMPLE].lower().split():
        if not word[-1].isalpha():
            word = word.strip(_PUNCTUATION)
        if word in _EN_WORDS:
            en_words += 1
        elif word in _VI_WORDS:
            vi_words += 1
    vi_letters = len(_VI_LETTERS.findall(sample))
    # a Vietnamese text has a Vietnamese letter in about one word of two: a name here
    # and there in an English report stays far below that
    return "vi" if vi_words + vi_letters / 4 > en_words else "en"
