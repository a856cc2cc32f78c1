"""Web pages: the article text and metadata of one HTML page, read with :mod:`html.parser`.

Scripts, styles, navigation, headers, footers, asides, forms, comment boxes,
share bars, boxes of other articles and copyright lines are dropped;
paragraphs become lines.  Title from ``<h1>``, else ``og:title``, else
``<title>``; date from ``article:published_time`` (and similar meta), else
``<time datetime>``.  The words of page furniture are in ``geomap/lang/*.yaml``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["parse_html"]

_HAN = re.compile(r"[\u4e00-\u9fff]")

_SKIP_TAGS = {
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template",
    "svg", "iframe", "button", "select", "textarea", "object", "canvas", "menu", "dialog",
}  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "section", "article", "main", "blockquote", "pre", "hr", "dd", "dt", "dl",
    "figcaption", "figure", "address", "body", "title",
}  # fmt: skip
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "source", "area", "base", "col", "embed", "track"}
_NOISE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:comments?|comment-box|share|sharing|social|copyright|related|newsletter|"
    r"advert|ads?|cookie|breadcrumbs?|menu|sidebar|footer|header|nav|navbar|subscribe|promo|"
    r"tags|byline-share|disqus|widget|popup|modal|most[_-]?(?:read|viewed|popular)|popular|trending|"
    r"hot[_-]?(?:news|list)?|rank(?:ing)?|top[_-]?news|more[_-]?news|also[_-]?read|read[_-]?more|recommend\w*|"
    r"tin[_-]?(?:lien[_-]?quan|doc[_-]?nhieu|xem[_-]?nhieu|moi|khac)|xem[_-]?nhieu|doc[_-]?nhieu|"
    r"paihang|xgxw|tuijian|remen)(?:$|[\s_-])",
    re.IGNORECASE,
)
def _page_words(part: str) -> list[str]:
    from geomap import lang

    return [w for _, pages in lang.merged("pages") for w in pages.get(part, ())]


# "©", "Copyright", "Bản quyền", "版权所有"...: the page's copyright line (from geomap/lang/*.yaml)
_COPYRIGHT = re.compile(r"^\s*(?:" + "|".join(_page_words("copyright")) + ")", re.IGNORECASE)
# A heading that opens a box of other articles: "Related news", "Tin liên quan", "相关新闻"...
_BOX_LABELS = frozenset(label.casefold() for label in _page_words("box_labels"))
_NAV_LINKS = 3  # a line of this many links or more, and nearly nothing else, is navigation
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "article:modified_time",
)


class _PageParser(HTMLParser):
    """Collects the article text and metadata of one HTML page."""

    def __init__(self, *, by_class: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.by_class = by_class  # also drop elements whose class or id names page furniture
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False
        self._open: list[str] = []  # the elements open around the text being read
        self._links = self._link_chars = 0  # links in the block being read, and their characters
        self._in_link = False
        self._skip_open = False  # the element skipped is one of self._open (a box found by its heading)
        self.title_tag = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self.time_datetime = ""  # the first <time datetime> in the kept text
        self.any_time_datetime = ""  # the first anywhere (a header's byline is often dropped)
        self.canonical = ""

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        self._current = []
        links, link_chars = self._links, self._link_chars
        self._links = self._link_chars = 0
        if not text or _COPYRIGHT.match(text):
            return
        if self.by_class and text.rstrip(":：").strip().casefold() in _BOX_LABELS and self._open:
            # "Tin liên quan", "相关新闻": a box of other articles, up to the end of what holds it
            self._skip_tag, self._skip_depth, self._skip_open = self._open[-1], 1, True
            return
        if self.by_class and links >= _NAV_LINKS and link_chars >= 0.8 * len(text.replace(" ", "")):
            return  # "Trang chủ | Xã hội | Pháp luật": a line of links is navigation
        self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and "content" in a and key not in self.meta:
                self.meta[key] = a["content"]
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = self.canonical or a.get("href", "")
            return
        if tag == "time" and a.get("datetime"):
            self.any_time_datetime = self.any_time_datetime or a["datetime"]
            if self._skip_tag is None:
                self.time_datetime = self.time_datetime or a["datetime"]
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        if tag in _VOID:
            if tag == "br":
                self._flush()
            return
        noise = tag in _SKIP_TAGS or (
            self.by_class and _NOISE_CLASS.search(f"{a.get('class', '')} {a.get('id', '')}") is not None
        )
        if noise and tag not in ("body", "html", "main", "article", "title"):
            self._flush()
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        self._open.append(tag)
        if tag == "a":
            self._in_link = True
            self._links += 1
        if tag == "title":
            self._in_title = True
        elif tag == "h1" and not self.h1:
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
                    if self._skip_open and tag in self._open:
                        del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
                    self._skip_open = False
            return
        if tag in self._open:  # close it (and whatever was left open inside it)
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
        if tag == "a":
            self._in_link = False
        if tag == "title":
            self._in_title = False
            self._current = []  # the <title> is metadata, not body text
            return
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.h1 = " ".join("".join(self._current).split())
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._in_title:
            self.title_tag += data
            return
        if self._in_link:
            self._link_chars += len(data) - data.count(" ") - data.count("\n")
        self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


_MIN_PAGE_TEXT = 200


def _size(blocks: list[str]) -> int:
    """How much text the blocks hold: a Chinese character says about as much as three letters."""
    return sum(len(b) + 2 * len(_HAN.findall(b)) for b in blocks)


def parse_html(text: str) -> tuple[str, dict[str, str]]:
    """The article text of a page and its metadata (title, date, source, url).

    Page furniture is also recognised by class or id ("share-bar",
    "comments"); when that leaves almost nothing (a main column with a class
    such as "has-sidebar"), the page is read again with tag rules only.
    """
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    if _size(parser.blocks) < _MIN_PAGE_TEXT:
        again = _PageParser(by_class=False)
        again.feed(text)
        again.close()
        if sum(map(len, again.blocks)) > sum(map(len, parser.blocks)):
            parser = again
    meta = parser.meta
    title = parser.h1 or meta.get("og:title", "") or " ".join(parser.title_tag.split())
    date = ""
    for key in _DATE_META:
        if meta.get(key):
            date = meta[key]
            break
    date = date or parser.time_datetime or parser.any_time_datetime
    body = "\n\n".join(parser.blocks)
    if title and body and not body.startswith(title):
        body = f"{title}\n\n{body}"
    info = {
        "title": title,
        "date": date,
        "source": meta.get("og:site_name", ""),
        "url": parser.canonical or meta.get("og:url", ""),
    }
    return body, info
