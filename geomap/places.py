"""Place mentions: every gazetteer name in an article, found and resolved.

One Aho–Corasick automaton (pyahocorasick) holds the folded form of every
gazetteer name and alias, plus the Chinese names with the generic words
reports put after them ("凭祥市", "友谊关口岸").  The generic words around a
Latin-script name ("Lang Son province", "tỉnh Lạng Sơn", "Youyi port") are
looked for in the text beside each name found, one regular expression a side,
which keeps the automaton a sixth of the size it would have with every
wrapped form in it (faster to build, to load and to run).  It runs once over the folded article text; :func:`geomap.normalize.fold`
keeps the length of the text, so offsets found there are offsets in the
original.  The longest match wins and overlaps are settled leftmost-longest.
Latin-script names must sit on word boundaries ("Hekou" is not found inside
"Shekou", "Lao" not inside "Laos"): their patterns carry a space at each end,
so the automaton reports no match inside a word; CJK names need none.

Each match is then resolved by the geocoder in two passes: names that resolve
without doubt give the article's context (countries, provinces, places), with
which the doubtful ones are resolved again.  A name that stays ambiguous keeps
its ranked candidates and no ``place_id``: never a silent guess.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from geomap.normalize import CharMap, fold, translate_runs
from geomap.records import Article, Mention, Resolution, Unresolved

__all__ = [
    "PlaceMatcher",
    "find_mentions",
    "find_unresolved",
    "word_form",
]

# Generic words around a name, folded, with the place kinds they hint at.
_ADMIN = ("province", "prefecture", "district", "city", "town", "commune")
_GATES = ("border_gate", "port")
_NOT_ADMIN = frozenset({"border_gate", "port", "other"})  # kinds a type word may hint that no register unit has
_SUFFIXES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (generic word, kinds hinted, kinds of place it is added to)
    ("province", ("province",), _ADMIN),
    ("provincial", ("province",), _ADMIN),
    ("city", ("city", "prefecture", "district", "province"), _ADMIN),
    ("county", ("district",), _ADMIN),
    ("district", ("district",), _ADMIN),
    ("town", ("town", "city", "district"), _ADMIN),
    ("township", ("town", "commune"), _ADMIN),
    ("commune", ("commune",), _ADMIN),
    ("ward", ("commune",), _ADMIN),
    ("prefecture", ("prefecture",), _ADMIN),
    ("autonomous region", ("province",), _ADMIN),
    ("zhuang autonomous region", ("province",), _ADMIN),
    ("border gate", _GATES, _ADMIN + _GATES),
    ("international border gate", _GATES, _ADMIN + _GATES),
    ("border crossing", _GATES, _ADMIN + _GATES),
    ("border checkpoint", _GATES, _ADMIN + _GATES),
    ("checkpoint", _GATES, _GATES),
    ("port", ("port", "border_gate"), _ADMIN + _GATES),
    ("border port", ("port", "border_gate"), _ADMIN + _GATES),
    ("gate", _GATES, _GATES),
    ("highway port", _GATES, _GATES),
    ("international highway port", _GATES, _GATES),
    ("land port", _GATES, _GATES),
    ("international port", _GATES, _GATES),
    ("port of entry", _GATES, _GATES),
    ("pass", _GATES, _GATES),
    ("railway station", ("border_gate", "other"), _ADMIN + _GATES),
    ("international border crossing", _GATES, _ADMIN + _GATES),
    ("border trade point", _GATES, _GATES),
    ("main border gate", _GATES, _GATES),
    ("secondary border gate", _GATES, _GATES),
    ("auxiliary border gate", _GATES, _GATES),
    ("main gate", _GATES, _GATES),
    ("secondary gate", _GATES, _GATES),
    ("border market", _GATES, _GATES),
    ("international checkpoint", _GATES, _GATES),
    ("national checkpoint", _GATES, _GATES),
    ("local checkpoint", _GATES, _GATES),
    ("border opening", _GATES, _GATES),
    ("border passage", _GATES, _GATES),
    ("passage", _GATES, _GATES),
    ("customs clearance lane", _GATES, _GATES),
    ("clearance lane", _GATES, _GATES),
    ("trade point", _GATES, _GATES),
)
_PREFIXES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("tinh", ("province",), _ADMIN),
    ("thanh pho", ("city", "province", "prefecture"), _ADMIN),
    ("tp", ("city", "province"), _ADMIN),
    ("huyen", ("district",), _ADMIN),
    ("quan", ("district",), _ADMIN),
    ("thi xa", ("district", "town"), _ADMIN),
    ("thi tran", ("town",), _ADMIN),
    ("xa", ("commune",), _ADMIN),
    ("phuong", ("commune",), _ADMIN),
    ("cua khau", _GATES, _ADMIN + _GATES),
    ("cua khau quoc te", _GATES, _ADMIN + _GATES),
    ("cua khau chinh", _GATES, _ADMIN + _GATES),
    ("cua khau phu", _GATES, _ADMIN + _GATES),
    ("loi mo", _GATES, _GATES),
    ("diem thong quan", _GATES, _GATES),
    ("loi thong quan", _GATES, _GATES),
    ("cua khau song phuong", _GATES, _ADMIN + _GATES),
    ("cua khau quoc gia", _GATES, _ADMIN + _GATES),
    ("cua khau duong bo", _GATES, _ADMIN + _GATES),
    ("cua khau duong bo quoc te", _GATES, _ADMIN + _GATES),
    ("cho bien gioi", _GATES, _GATES),
    ("ga", ("border_gate", "other"), _ADMIN + _GATES),
)
_CJK_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("省", ("province",)),
    ("市", ("city", "prefecture", "district")),
    ("县", ("district",)),
    ("区", ("province", "district")),
    ("自治区", ("province",)),
    ("壮族自治区", ("province",)),
    ("口岸", _GATES),
    ("国际口岸", _GATES),
    ("公路口岸", _GATES),
    ("铁路口岸", _GATES),
    ("边民互市点", _GATES),
    ("互市点", _GATES),
    ("边民互市贸易区", _GATES),
    ("互市贸易区", _GATES),
    ("边民互市区", _GATES),
    ("通道", _GATES),
    ("镇", ("town",)),
    ("乡", ("commune",)),
)

# Single words that are place names somewhere but mostly mean something else
# in English reports, or are parts of Vietnamese personal names.  Dropped when
# they stand alone, without a generic word.
_STOPWORDS = frozenset(
    """
    long bay police home global society van nam ha an tan binh minh quang hung thanh son
    lai lam phu vinh tay dong bac trung mai xuan hoa de la ba ta to bo cam ma na lo ky
    hai ninh yen thai hoang bao tien hong lien phong chinh khoa thuc huong tam luong
    ding xu xi li ma mo my so do vu vo le ly ho dang duc kim nghia tri china's vietnam's sau tu
    central north south east west northern southern eastern western border gate port
    city province district county town commune state union general national
    """.split()
)

# Common Vietnamese family names: a place-name match right after one is most
# likely a person's given name ("Luong Tam Quang", "Pham Minh Chinh").
_SURNAMES = frozenset(
    """
    nguyen tran le pham hoang huynh phan vu vo dang bui do ngo duong ly luong dinh
    trinh mai ta truong lam cao doan la to chu ha quach kieu thai
    """.split()
)

# The type words of a Chinese township-level unit (乡, 镇, 街道) and the kinds they stand for.
_CJK_TYPE_KINDS: dict[str, tuple[str, ...]] = {"镇": ("town",), "乡": ("commune",), "街道": ("commune",)}
_CJK_TYPE_RE = re.compile(r"(?:镇|乡|街道)$")
_CJK_ADMIN_ENDS = ("省", "市", "县", "区", "州", "旗")  # a name with one of these takes no township type word after it

_NONWORD_RE = re.compile(r"[^\w]")
_MARGIN = 5.0  # as the resolver's AMBIGUITY_MARGIN: candidates this close are the same answer
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _word_char(char: str) -> str:
    folded = fold(char)
    return folded if _NONWORD_RE.match(folded) is None else " "


_WORD_FORM = CharMap(_word_char)  # each character to its folded form, or a space if not a word character


def word_form(text: str) -> str:
    """Fold ``text`` and turn every non-word character into a space (same length)."""
    if text.isascii():
        return text.translate(_WORD_FORM.ascii)
    return translate_runs(text, _WORD_FORM)


class _Entry(NamedTuple):
    """What a pattern in the automaton stands for.

    A named tuple while the matcher is built; the matcher keeps plain tuples
    of the same fields: it holds 100,000 of them, and the compiled cache
    (``geomap._compiled``) reads plain tuples back three times faster.
    """

    cjk: bool
    size: int  # length of the pattern, without the leading boundary space
    base_offset: int  # where the bare name starts inside the pattern
    base_len: int
    kinds: tuple[str, ...]  # kinds hinted by the generic word, () for none
    lowercase_ok: bool  # the gazetteer spells the name in lower case
    register: bool = False  # a bare name of a register unit: type words beside it are looked for in the text
    wraps: tuple[str, ...] = ()  # kinds of the places of this Latin name: the generic words that may wrap it


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    base_start: int
    base_end: int
    kinds: tuple[str, ...]
    cjk: bool


class PlaceMatcher:
    """One multi-pattern automaton over every gazetteer name and alias (and Chinese generic variants).

    Build it once with :meth:`from_gazetteer` (or :meth:`from_names`) and reuse
    it for every article; it pickles, so worker processes can share it.
    """

    def __init__(self, automaton: Any, entries: Sequence[_Entry], cjk: Any = None) -> None:
        self._automaton = automaton  # Latin-script names, each between two spaces
        # Chinese (and other non-Latin) names, apart: the first letters of their thousands of names would make
        # the automaton's root a slow node to leave for every letter of an English or Vietnamese report
        self._cjk = cjk
        self._entries = tuple(tuple(e) for e in entries)  # plain tuples: the fields of _Entry
        firsts = sorted({key[0] for key in cjk.keys()}) if cjk is not None and len(cjk) else []
        self._cjk_first = "".join(firsts)  # where a match of one of them can start
        self._cjk_start: re.Pattern | None = None

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_cjk_start"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _cjk_start=None)

    def __len__(self) -> int:
        return len(self._automaton) + (len(self._cjk) if self._cjk is not None else 0)

    @classmethod
    def from_gazetteer(cls, gazetteer: Any) -> PlaceMatcher:
        """Build the matcher from a :class:`~geomap.gazetteer.Gazetteer`.

        Parameters
        ----------
        gazetteer
            Anything with ``names()`` yielding ``(name, place_id, lang, kind)``
            and ``get(place_id)`` returning a place with a ``kind``.
        """
        from geomap._compiled import cache_get, cache_put
        from geomap.gazetteer import is_register_unit

        stamp = getattr(gazetteer, "_stamp", None)
        cached = cache_get(stamp, "matcher") if stamp else None
        if cached is not None:
            return cached
        kinds: dict[str, tuple[str, bool]] = {}
        rows = []
        for row in gazetteer.names():
            name, place_id = row[0], row[1]
            if place_id not in kinds:
                place = gazetteer.get(place_id)
                kind = getattr(place, "kind", "other") if place is not None else "other"
                kinds[place_id] = (kind, place is not None and is_register_unit(place))
            rows.append((name, *kinds[place_id]))
        matcher = cls.from_names(rows)
        if stamp:
            cache_put(stamp, "matcher", matcher)
        return matcher

    @classmethod
    def from_names(cls, names: Iterable[tuple[str, str] | tuple[str, str, bool]]) -> PlaceMatcher:
        """Build the matcher from ``(name, place kind)`` or ``(name, place kind, register unit)`` tuples.

        A register unit's Latin name goes in bare: the type words beside it
        ("xã", "huyện", "district", "commune") are found in the text by
        :meth:`find`, which keeps the automaton small for tens of thousands of units.
        """
        import ahocorasick

        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)  # values are entry numbers: read back faster
        cjk_automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        entries: list[_Entry] = []
        index: dict[str, int] = {}

        def add(pattern: str, entry: _Entry) -> None:
            if pattern in index:
                old = entries[index[pattern]]
                # the same form from several places: the union of hints, bare wins
                if old.kinds and entry.kinds and old.kinds != entry.kinds:
                    merged = tuple(dict.fromkeys(old.kinds + entry.kinds))
                    old = entries[index[pattern]] = old._replace(kinds=merged)
                if entry.wraps and not set(entry.wraps) <= set(old.wraps):
                    entries[index[pattern]] = old._replace(wraps=tuple(sorted({*old.wraps, *entry.wraps})))
                return
            index[pattern] = len(entries)
            entries.append(entry)
            (cjk_automaton if entry.cjk else automaton).add_word(pattern, index[pattern])

        for item in names:
            name, kind = item[0], item[1]
            register = len(item) > 2 and bool(item[2])
            name = name.strip()
            if not name:
                continue
            form = word_form(name).strip()
            if not form or form.isdigit():
                continue
            if _CJK_RE.search(name):
                if register:
                    # a township's Chinese name counts only with its type word (江平镇, not 江平):
                    # two characters alone are too often a word (友谊, 水口)
                    typed = _CJK_TYPE_RE.search(form)
                    if typed is not None:
                        add(form, _Entry(True, len(form), 0, len(form), _CJK_TYPE_KINDS[typed.group(0)], True))
                        continue
                    for suffix, hinted in _CJK_TYPE_KINDS.items():
                        add(form + suffix, _Entry(True, len(form) + len(suffix), 0, len(form), hinted, True))
                    continue
                add(form, _Entry(True, len(form), 0, len(form), (), True))
                for suffix, hinted in _CJK_SUFFIXES:
                    # "临沧市" + 镇 would swallow the first character of "临沧市镇康县"
                    if not form.endswith(suffix) and not (suffix in _CJK_TYPE_KINDS and form.endswith(_CJK_ADMIN_ENDS)):
                        add(form + suffix, _Entry(True, len(form) + len(suffix), 0, len(form), hinted, True))
                continue
            lowercase_ok = not name[:1].isupper()
            if len(form) < 2:
                continue
            if register:
                base = _strip_type_word(form)
                if base is not None:
                    continue  # "Huyện Bến Cầu", "Bến Cầu district": the bare name and the text's type words cover it
                key = f" {form} "
                if key in index:
                    old = entries[index[key]]
                    if not old.kinds and not old.register:
                        entries[index[key]] = old._replace(register=True)
                    continue
                add(key, _Entry(False, len(form), 0, len(form), (), lowercase_ok, True))
                continue
            # the generic words that may wrap it (_SUFFIXES, _PREFIXES) are looked for by find()
            add(f" {form} ", _Entry(False, len(form), 0, len(form), (), lowercase_ok, False, (kind,)))
        for built in (automaton, cjk_automaton):
            if len(built):
                built.make_automaton()
        return cls(automaton, entries, cjk_automaton)

    def _cjk_matches(self, padded: str) -> Iterable[tuple[int, int]]:
        """The automaton's matches of non-Latin names in ``padded``, from the first letter one can start with."""
        if not self._cjk_first:
            return ()
        if self._cjk_start is None:
            self._cjk_start = re.compile("[" + re.escape(self._cjk_first) + "]")
        first = self._cjk_start.search(padded)
        return self._cjk.iter(padded, first.start()) if first is not None else ()

    def find(self, text: str) -> list[_Match]:
        """Every name in ``text``: leftmost-longest, on word boundaries, offsets into ``text``."""
        if not len(self):
            return []
        padded = " " + word_form(text) + " "
        entries = self._entries
        # padded index i is text index i - 1; a CJK pattern ends at text index last - 1, a Latin one
        # (" name ", on word boundaries) at last - 2.  Each name found is a candidate (start, -end,
        # entry, 0, base start, kinds); a Latin name wrapped in a generic word fitting one of its
        # places is one more (..., 1, ...).  Of two of one span the name entered first wins, as when
        # every wrapped form was a pattern ("Youyi" + " port" before the alias "Youyi Port")
        found: list[tuple[int, int, int, int, int, tuple[str, ...]]] = []
        for last, idx in self._cjk_matches(padded):
            size = entries[idx][1]
            found.append((last - size, -last, idx, 0, last - size, entries[idx][4]))
        for last, idx in self._automaton.iter(padded) if len(self._automaton) else ():
            entry = entries[idx]
            start, end = last - 1 - entry[1], last - 1
            found.append((start, -end, idx, 0, start, entry[4]))
            if entry[7]:
                found.extend(_wrapped(padded, start, end, idx, entry[7]))
            elif entry[6] and not entry[4]:
                # a register unit with its type word competes at its whole length: "huyện Nậm Pồ" is
                # longer than "huyện Nậm" (another district's name with the same type word)
                typed = _type_words(padded, start, end, 0)
                if typed[0] < start and not set(typed[2]) <= _NOT_ADMIN:  # an admin type word, not "cửa khẩu"
                    found.append((typed[0], -typed[1], idx, 1, start, typed[2]))
        if not found:
            return []
        # leftmost-longest: by start, longest first; a match overlapping a kept one goes
        found.sort()
        matches: list[_Match] = []
        taken_to = -1
        for start, neg_end, idx, wrapped, base_start, kinds in found:
            if start < taken_to:
                continue
            end = -neg_end
            cjk, _, base_offset, base_len, _, lowercase_ok, register, _ = entries[idx]
            base_start += base_offset
            base_end = base_start + base_len
            if not cjk and not lowercase_ok:
                first = text[base_start]
                if first.isalpha() and not first.isupper():
                    continue  # "long" in running text is not Long (a place)
            if wrapped and _unmarked_type_word(text, start, base_start, base_end):
                continue  # "Hải quan Quảng Ninh" (customs): the bare name, found too, is the match
            if register and not kinds:
                typed = _type_words(padded, start, end, max(taken_to, 0))
                if not _unmarked_type_word(text, typed[0], base_start, base_end):
                    start, end, kinds = typed
            matches.append(_Match(start, end, base_start, base_end, kinds, cjk))
            taken_to = end
        return matches



# Vietnamese type words whose proper spelling has marks (tỉnh, quận, xã, cửa khẩu...), folded.
_MARKED_TYPE_WORDS = frozenset(
    {"tinh", "thanh pho", "huyen", "quan", "thi xa", "thi tran", "xa", "phuong", "dac khu", "cua khau",
     "cua khau quoc te", "cua khau chinh", "cua khau phu", "loi mo", "diem thong quan", "loi thong quan",
     "cua khau song phuong", "cua khau quoc gia", "cua khau duong bo", "cua khau duong bo quoc te", "cho bien gioi"}
)  # fmt: skip


def _unmarked_type_word(text: str, start: int, base_start: int, base_end: int) -> bool:
    """Whether the type word ``text[start:base_start]`` lacks the marks its name ``text[base_start:base_end]`` has.

    Who writes "Quảng Ninh" with its marks writes "quận" and "xã" with theirs:
    the "quan" of "Hải quan Quảng Ninh" (the customs) and the "xa" of a word
    ending a sentence are not type words.  Text written without marks
    ("quan Ba Dinh") keeps them.
    """
    if start >= base_start:
        return False
    word = text[start:base_start]
    if not word.isascii() or " ".join(word.lower().split()) not in _MARKED_TYPE_WORDS:
        return False
    return any(not c.isascii() and c.isalpha() for c in text[base_start:base_end])

# Type words looked for beside a register unit's bare name, folded, longest first.
_TYPE_BEFORE = tuple(
    sorted(
        [(w, k) for w, k, _ in _PREFIXES]
        + [("dac khu", ("commune",)), ("srok", ("district",)), ("khan", ("district",)), ("krong", ("district", "city")),
           ("khum", ("commune",)), ("sangkat", ("commune",))],
        key=lambda wk: -len(wk[0]),
    )
)
_TYPE_AFTER = tuple(
    sorted([(w, k) for w, k, _ in _SUFFIXES] + [("subdistrict", ("commune",))], key=lambda wk: -len(wk[0]))
)


_TYPE_WORD_RE = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w, _ in _TYPE_BEFORE) + r") (.+)$"
    r"|^(.+) (?:" + "|".join(re.escape(w) for w, _ in _TYPE_AFTER) + r")$"
)


def _strip_type_word(form: str) -> str | None:
    """``form`` without a leading or trailing type word ("huyen ben cau" -> "ben cau"); ``None`` if it has none."""
    found = _TYPE_WORD_RE.match(form)
    return (found.group(1) or found.group(2)) if found else None


def _word_table(words: Iterable[tuple[str, tuple[str, ...], tuple[str, ...]]], *, before: bool) -> tuple[re.Pattern, dict]:
    """A regex finding the longest of ``words`` just before (or after) a name, and for each word the
    words that may stand in its place, longest first, each with the kinds it hints at and the kinds
    of place it fits: itself, then the shorter words it ends (or starts) with ("thi xa" -> "xa")."""
    table = {w: (hinted, frozenset(applies)) for w, hinted, applies in words}
    ordered = sorted(table, key=len, reverse=True)
    shorter = {
        w: [(x, *table[x]) for x in [w] + [x for x in ordered if x != w and (w.endswith(" " + x) if before else w.startswith(x + " "))]]
        for w in ordered
    }  # fmt: skip
    alternation = "|".join(re.escape(w) for w in ordered)
    return re.compile(f" ({alternation}) $" if before else f" ({alternation})(?= )"), shorter


_WRAP_BEFORE_RE, _WRAP_BEFORE = _word_table(_PREFIXES, before=True)
_WRAP_AFTER_RE, _WRAP_AFTER = _word_table(_SUFFIXES, before=False)
_WRAP_LONGEST = max(len(w) for w, _, _ in _PREFIXES) + 2


def _wrapped(padded: str, start: int, end: int, idx: int, wraps: tuple[str, ...]) -> list[tuple]:
    """The Latin name found at ``[start, end)`` wrapped in a generic word that fits one of its places'
    kinds ``wraps``: "tinh Lang Son" and "Lang Son province", as :meth:`PlaceMatcher.find`'s candidates."""
    out = []
    before = _WRAP_BEFORE_RE.search(padded, max(0, start - _WRAP_LONGEST), start + 1)
    if before is not None:
        for word, hinted, applies in _WRAP_BEFORE[before.group(1)]:
            if not applies.isdisjoint(wraps):
                out.append((start - len(word) - 1, -end, idx, 1, start, hinted))
                break
    after = _WRAP_AFTER_RE.match(padded, end + 1)
    if after is not None:
        for word, hinted, applies in _WRAP_AFTER[after.group(1)]:
            if not applies.isdisjoint(wraps):
                out.append((start, -(end + 1 + len(word)), idx, 1, start, hinted))
                break
    return out


# One regex a side: the longest type word ending just before a name (searched in a window that ends
# there: the leftmost match is the longest), and the longest one just after it.
_TYPE_BEFORE_RE = re.compile(r" (" + "|".join(re.escape(w) for w, _ in _TYPE_BEFORE) + r") $")
_TYPE_AFTER_RE = re.compile(r" (" + "|".join(re.escape(w) for w, _ in _TYPE_AFTER) + r")(?= )")
_TYPE_BEFORE_KINDS = dict(_TYPE_BEFORE)
_TYPE_AFTER_KINDS = dict(_TYPE_AFTER)
_LONGEST_BEFORE = max(len(w) for w, _ in _TYPE_BEFORE) + 2


def _type_words(padded: str, start: int, end: int, floor: int) -> tuple[int, int, tuple[str, ...]]:
    """Widen the match ``[start, end)`` over a type word just before or after it in ``padded``.

    ``padded`` is the word form of the text with one space before and after
    (its index ``i + 1`` is the text's ``i``); ``floor`` is where the previous
    match ends.  Returns the new span and the kinds the type word hints at,
    ``()`` when there is none.
    """
    if padded[start] == " ":
        # the window starts at the space before the earliest word allowed (text index floor)
        found = _TYPE_BEFORE_RE.search(padded, max(floor, start - _LONGEST_BEFORE), start + 1)
        if found is not None:
            return found.start(), end, _TYPE_BEFORE_KINDS[found.group(1)]
    found = _TYPE_AFTER_RE.match(padded, end + 1)
    if found is not None:
        return start, found.end() - 1, _TYPE_AFTER_KINDS[found.group(1)]
    return start, end, ()


_MATCHERS: weakref.WeakKeyDictionary[Any, PlaceMatcher] = weakref.WeakKeyDictionary()


def _shared_matcher(gazetteer: Any) -> PlaceMatcher:
    """One matcher a gazetteer (building one takes half a second), for every run on it.

    A gazetteer is not changed once loaded (an edited table loads as a new one).
    """
    try:
        matcher = _MATCHERS.get(gazetteer)
    except TypeError:  # not weakly referenceable: build it each time
        return PlaceMatcher.from_gazetteer(gazetteer)
    if matcher is None:
        matcher = _MATCHERS[gazetteer] = PlaceMatcher.from_gazetteer(gazetteer)
    return matcher


def _call_resolve(resolver: Any, name: str, **kwargs: Any) -> Resolution:
    """Call ``resolver.resolve``; drop the ``bare`` and ``kinds`` hints if this resolver lacks them."""
    if not kwargs.get("bare"):
        kwargs.pop("bare", None)
    try:
        return resolver.resolve(name, **kwargs)
    except TypeError:
        kwargs.pop("bare", None)
        try:
            return resolver.resolve(name, **kwargs)
        except TypeError:
            kwargs.pop("kinds", None)
            return resolver.resolve(name, **kwargs)


def _latin_not_the_place() -> re.Pattern:
    """The words after a name that make it part of another name: "Bac Luan bridge", and after names
    joined by dashes, "the China-Vietnam friendship bridge"."""
    from geomap import lang

    words = [
        w for code, places in lang.merged("places") if lang.resources(code)["language"].get("script") == "latin"
        for w in places.get("not_before", ())
    ]  # fmt: skip
    return re.compile(
        r"(?:[ \t]*[-–—/][ \t]*[A-Z][\w'’]*)*[ \t]+(?:friendship[ \t]+)?(?:" + "|".join(words) + r")\b", re.IGNORECASE
    )


_NOT_THE_PLACE = _latin_not_the_place()


def _cjk_not_the_place() -> re.Pattern | None:
    """What follows a Chinese name that makes it part of another word (新华社, 南宁路), from the language files."""
    from geomap import lang

    words = [w for _, places in lang.merged("places") for w in places.get("not_before", ())]
    return re.compile("|".join(words)) if words else None


_CJK_NOT_THE_PLACE = _cjk_not_the_place()


def _is_false_positive(text: str, match: _Match) -> bool:
    """Stoplisted single words, given names after a family name, and "X bridge" or "X river"."""
    if match.cjk:
        return _CJK_NOT_THE_PLACE is not None and _CJK_NOT_THE_PLACE.match(text, match.end) is not None
    if _NOT_THE_PLACE.match(text, match.end):
        return True  # "Bac Luan bridge", "Ka Long river": named after a place, not the place
    if match.kinds:
        return False
    base = fold(text[match.base_start : match.base_end])
    if " " not in base and base in _STOPWORDS:
        return True
    # the word just before, separated by one space only
    end = match.start - 1
    if end < 1 or text[end] != " ":
        return False
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:end]
    return word[:1].isupper() and fold(word) in _SURNAMES


def _era(cache: dict, gazetteer: Any, day: dt.date | None) -> int | None:
    """Which span between the gazetteer's validity dates ``day`` falls in (``None`` for no date)."""
    bounds = cache.get("_era_bounds")
    if bounds is None:
        dates = set()
        for place in gazetteer if gazetteer is not None else ():
            if place.valid_from is not None:
                dates.add(place.valid_from)
            if place.valid_to is not None:
                dates.add(place.valid_to)
        bounds = cache["_era_bounds"] = sorted(dates)
    if day is None:
        return None
    return bisect.bisect_right(bounds, day)


def _country_of(gazetteer: Any, place: Any) -> str | None:
    if gazetteer is not None and hasattr(gazetteer, "country_of"):
        try:
            value = gazetteer.country_of(place.id)
        except (KeyError, ValueError, AttributeError):
            value = None
        if value is not None:
            return getattr(value, "country", value) if not isinstance(value, str) else value
    return getattr(place, "country", None)


def _province_of(gazetteer: Any, place: Any) -> str | None:
    if gazetteer is not None and hasattr(gazetteer, "province_of"):
        try:
            value = gazetteer.province_of(place.id)
        except (KeyError, ValueError, AttributeError):
            value = None
        if value is not None:
            return value if isinstance(value, str) else getattr(value, "id", None)
    return place.id if getattr(place, "kind", "") == "province" else None


def find_mentions(
    article: Article,
    *,
    matcher: PlaceMatcher,
    resolver: Any,
    context: dict | None = None,
    cache: dict | None = None,
) -> list[Mention]:
    """Every gazetteer name in ``article``, resolved with the article's context.

    Parameters
    ----------
    article
        The report.
    matcher
        A :class:`PlaceMatcher` built once for the gazetteer.
    resolver
        A :class:`~geomap.geocoder.Resolver` (``resolve(name, *, country,
        province, date, near)``).
    context
        Optional extra hints: ``{"country": "VN", "near": (place_id, ...)}``.
    cache
        A dict the caller keeps across the articles of one run (and drops
        after it): names resolved without context are remembered per span
        of time in which no admin unit of the gazetteer changes.

    Returns
    -------
    list of Mention
        In text order.  Ambiguous names have ``place_id=None``, ``ambiguous=True``
        and their ranked ``candidates``.
    """
    text = article.text
    matches = [m for m in matcher.find(text) if not _is_false_positive(text, m)]
    if not matches:
        return []
    gazetteer = getattr(resolver, "gazetteer", None)
    day: dt.date | None = article.date.start if article.date is not None else None
    extra = context or {}
    base_near = tuple(extra.get("near", ()))
    country_hint = extra.get("country")

    def resolve(name: str, kinds: tuple[str, ...], near: tuple[str, ...]) -> Resolution:
        # the generic word's first kind is what it usually means ("city" a city),
        # the others what it may mean when no such place exists; in China a
        # "city" is first a prefecture-level city ("Pu'er city"), then a county-level one
        if len(kinds) > 1 and kinds[0] == "city":
            wide = _call_resolve(resolver, name, country=country_hint, date=day, near=near, kinds=kinds)
            if wide and wide.place.country == "CN":
                if wide.ambiguous:
                    return wide  # Pingxiang of Jiangxi or of Guangxi: the article's context decides, in pass 2
                top = wide.best.score
                close = {c.place.id for c in wide.candidates if top - c.score < _MARGIN}
                for kind in ("prefecture", "district", "city"):
                    found = _call_resolve(resolver, name, country=country_hint, date=day, near=near, kinds=(kind,))
                    if found and found.place.id in close:
                        return found
        if len(kinds) > 1:
            found = _call_resolve(resolver, name, country=country_hint, date=day, near=near, kinds=kinds[:1])
            if found:
                return found
        # a bare name: a register unit (commune, district...) counts only beside a parent the text names
        return _call_resolve(resolver, name, country=country_hint, date=day, near=near, kinds=kinds or None, bare=not kinds)

    era = _era(cache, gazetteer, day) if cache is not None else None

    # pass 1: each distinct (name, kinds) once, without context
    first: dict[tuple[str, tuple[str, ...]], Resolution] = {}
    for m in matches:
        key = (text[m.base_start : m.base_end], m.kinds)
        if key in first:
            continue
        if cache is not None:
            memo = (key, era, country_hint, base_near)
            found = cache.get(memo)
            if found is None:
                found = cache[memo] = resolve(key[0], m.kinds, base_near)
            first[key] = found
        else:
            first[key] = resolve(key[0], m.kinds, base_near)
    near: list[str] = list(base_near)
    countries: dict[str, int] = {}
    for res in first.values():
        if res and not res.ambiguous:
            place = res.place
            near.append(place.id)
            where = cache.get(("_where", place.id)) if cache is not None else None
            if where is None:  # a place's country and province never change within a run
                where = (_country_of(gazetteer, place), _province_of(gazetteer, place))
                if cache is not None:
                    cache[("_where", place.id)] = where
            code, province = where
            if code:
                countries[code] = countries.get(code, 0) + 1
            if province and province != place.id:
                near.append(province)
    near_t = tuple(dict.fromkeys(near))

    # pass 2: the doubtful ones again, with what the article names for sure
    final: dict[tuple[str, tuple[str, ...]], Resolution] = {}
    parents_of = getattr(resolver, "register_parents", None)
    near_latest: set[str] | None = None
    for key, res in first.items():
        if not res and not key[1] and near_t:  # a bare name: a register unit may count beside its parent
            if parents_of is not None:
                if near_latest is None:
                    near_latest = set(near_t)
                    if gazetteer is not None:  # a province named by its old name stands for its successor too
                        for pid in near_t:
                            place = gazetteer.get(pid)
                            while place is not None and place.successor_id and place.successor_id not in near_latest:
                                near_latest.add(place.successor_id)
                                place = gazetteer.get(place.successor_id)
                parents = parents_of(key[0])
                if not parents or parents.isdisjoint(near_latest):
                    final[key] = res
                    continue
            final[key] = resolve(key[0], key[1], near_t)
        elif res and res.ambiguous and near_t:
            again = resolve(key[0], key[1], near_t)
            final[key] = again if again else res
        else:
            final[key] = res

    # what a mention of each distinct name says, worked out once a name
    said: dict[tuple[str, tuple[str, ...]], tuple | None] = {}
    for key, res in final.items():
        if not res:
            said[key] = None
            continue
        best = res.best
        if res.ambiguous:
            ids = tuple(dict.fromkeys(c.place.id for c in res.candidates))
            said[key] = (None, float(best.score), best.method, ids, True)
        else:
            said[key] = (best.place.id, float(best.score), best.method, (), False)
    mentions: list[Mention] = []
    article_id = article.id
    for m in matches:
        fields = said[(text[m.base_start : m.base_end], m.kinds)]
        if fields is None:
            continue
        place_id, score, method, ids, ambiguous = fields
        # positional arguments: a frozen dataclass is built twice as fast so
        mentions.append(Mention(article_id, m.start, m.end, text[m.start : m.end], place_id, score, method, ids, ambiguous))
    return mentions


# -- names the gazetteer lacks -------------------------------------------------

_HINT_AFTER = (
    "Province",
    "province",
    "District",
    "district",
    "Border Gate",
    "border gate",
    "County",
    "county",
    "Commune",
    "commune",
    "Port",
    "port",
    "City",
    "city",
    "Town",
    "town",
)
_HINT_BEFORE = ("tỉnh", "Tỉnh", "huyện", "Huyện", "xã", "Xã", "cửa khẩu", "Cửa khẩu")
# No look-behind before the words: the regex engine can then skip ahead to the
# letters they start with; the word boundary before is checked by _hints.
_HINT_RE = re.compile(
    r"(" + "|".join(re.escape(h) for h in sorted(_HINT_AFTER + _HINT_BEFORE, key=len, reverse=True)) + r")(?!\w)"
)
_CAP_WORD = r"[^\W\d_][\w'’\-]*"
_NAME_BEFORE_RE = re.compile(rf"((?:{_CAP_WORD}[ \t]+){{1,4}})$")
_NAME_AFTER_RE = re.compile(rf"[ \t]+((?:{_CAP_WORD})(?:[ \t]+{_CAP_WORD}){{0,3}})")
_FUNCTION_WORDS = frozenset(
    """
    the a an in at of on from to for and or with by as into this that these those its their his her
    our each every both all some any one two three four five six seven eight nine ten first second
    vietnamese chinese lao laotian cambodian thai border northern southern eastern western central
    provincial local same other another which whose where what mr ms
    """.split()
)


def _words_back(text: str, lo: int, hi: int, words: int = 4) -> int:
    """Where the last ``words`` space- or tab-separated tokens of ``text[lo:hi]`` start.

    A match of ``_NAME_BEFORE_RE`` ending at ``hi`` lies within them, so its
    search can start there instead of at ``lo``: the same leftmost match,
    without trying every position of the line before.
    """
    pos = hi
    for _ in range(words):
        while pos > lo and text[pos - 1] in " \t":
            pos -= 1
        cut = max(text.rfind(" ", lo, pos), text.rfind("\t", lo, pos))
        if cut < lo:
            return lo
        pos = cut + 1
    return pos


def _capitalised_run(words: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Keep the trailing run of capitalised, non-function words."""
    run: list[tuple[int, int]] = []
    for start, end in reversed(words):
        word = text[start:end]
        if not word[:1].isupper() or fold(word) in _FUNCTION_WORDS:
            break
        run.append((start, end))
    return list(reversed(run))


def _hints(text: str) -> Iterator[re.Match]:
    """The generic words of :data:`_HINT_RE` standing as whole words, in text order."""
    pos = 0
    while True:
        hit = _HINT_RE.search(text, pos)
        if hit is None:
            return
        start = hit.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1  # inside a word: look again one character on
            continue
        yield hit
        pos = hit.end()


def find_unresolved(article: Article, *, mentions: Sequence[Mention]) -> list[Unresolved]:
    """Place-like names the gazetteer lacks: a capitalised name beside a generic word.

    "Nam Quan Province", "Bac Phong Sinh border gate", "tỉnh Điện Biên Phủ"... when
    no mention covers them.  The curator adds them to the gazetteer.
    """
    text = article.text
    covered = sorted((m.start, m.end) for m in mentions)
    starts = [s for s, _ in covered]
    reach: list[int] = []  # the furthest end of the mentions up to each one
    for _, e in covered:
        reach.append(max(e, reach[-1]) if reach else e)
    found: dict[tuple[int, int], Unresolved] = {}

    def is_covered(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end) - 1  # the mentions that start before ``end``
        return i >= 0 and reach[i] > start

    for hit in _hints(text):
        hint = hit.group(1)
        # a generic word inside a mention ("Lang Son province", "tỉnh Lạng Sơn"):
        # the name beside it is that mention's, so it is covered
        if hint in _HINT_BEFORE:
            if is_covered(hit.end(), hit.end() + 1):
                continue
        elif is_covered(hit.start() - 1, hit.start()):
            continue
        if hint in _HINT_BEFORE:
            after = _NAME_AFTER_RE.match(text, hit.end())
            if after is None:
                continue
            words = [(w.start(), w.end()) for w in re.finditer(_CAP_WORD, after.group(1))]
            words = [(after.start(1) + s, after.start(1) + e) for s, e in words]
            run: list[tuple[int, int]] = []
            for s, e in words:
                if not text[s].isupper():
                    break
                run.append((s, e))
        else:
            line_start = max(text.rfind("\n", max(0, hit.start() - 80), hit.start()) + 1, hit.start() - 80)
            before = _NAME_BEFORE_RE.search(text, _words_back(text, line_start, hit.start()), hit.start())
            if before is None:
                continue
            words = [(before.start(1) + w.start(), before.start(1) + w.end()) for w in re.finditer(_CAP_WORD, before.group(1))]
            run = _capitalised_run(words, text)
            if run and run[0][0] > 0 and text[run[0][0] - 1] in "’'":
                run = []
        if not run:
            continue
        start, end = run[0][0], run[-1][1]
        if hint in _HINT_BEFORE:
            span = (hit.start(), end)
        else:
            span = (start, hit.end())
        if is_covered(start, end):
            continue
        if span not in found:
            found[span] = Unresolved(article.id, span[0], span[1], text[span[0] : span[1]], hint.lower())
    return [found[k] for k in sorted(found)]
