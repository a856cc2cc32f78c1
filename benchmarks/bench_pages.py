"""Article text from web pages: what geomap's reader keeps and drops, against trafilatura if installed.

Pages with navigation, "related news" and "most read" boxes, in English,
Vietnamese and Chinese (``tests/fixtures/pages/`` and the HTML samples), each
with phrases of the article that must be kept and phrases of the boxes that
must go.  Prints, for each reader, the phrases kept and dropped and the time
a page.  trafilatura is not a dependency: ``pip install trafilatura`` to
include it (it runs offline).  Run: ``python -m benchmarks pages``.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PAGES = {
    "samples/reports/vi_09_dien-bien-dien-tap.html": (
        ["tổ chức diễn tập xử lý tình huống dịch bệnh", "phát hiện 9 vụ với 17 người"],
        ["Lào Cai bắt giữ 40 kg ma túy", "Hội đàm biên phòng tại Sơn La", "30 người nhập cảnh trái phép ở Hà Giang", "Trang chủ"],
    ),
    "samples/reports/zh_04_youyiguan-statistics.html": (
        ["友谊关口岸共验放出入境人员1.2万人次", "该站增开查验通道"],
        ["东兴口岸查获走私冻品30吨", "崇左开展禁毒宣传", "河口边检站抓获偷渡人员20名", "首页"],
    ),
    "samples/reports/03_clearance-and-security-review.html": (["84,000"], ["Nanning"]),
    "tests/fixtures/pages/vi_boxes_without_classes.html": (
        ["vừa bắt giữ 4 đối tượng", "12 bánh heroin tại khu vực giáp biên", "vận chuyển ma túy qua đường mòn"],
        ["50 kg ma túy ở Nghệ An", "Kiên Giang", "Bắt 7 đối tượng", "Bản quyền", "Trang chủ"],
    ),
    "tests/fixtures/pages/zh_boxes_without_classes.html": (
        ["查获非法入境人员15名", "计划经靖西前往广东务工"],
        ["案值2亿元", "凭祥遣返", "河口查获冰毒", "版权所有", "首页"],
    ),
    "tests/fixtures/pages/en_boxes_without_classes.html": (
        ["stopped 11 people", "who handed them to local police"],
        ["30 kg of heroin", "Nanning", "smuggled sugar", "All rights reserved", "Home"],
    ),
}


def _geomap(path: Path) -> str:
    from geomap.text.articles import read_article

    article = read_article(path)
    return article.title + "\n" + article.text


def _trafilatura(precision: bool):
    import trafilatura

    def read(path: Path) -> str:
        return trafilatura.extract(path.read_text(encoding="utf-8"), include_comments=False, favor_precision=precision) or ""

    return read


def _score(name: str, read) -> None:
    kept = need = dropped = boxes = 0
    read(ROOT / next(iter(_PAGES)))  # imports and first-use set-up are not a page's time
    started = time.perf_counter()
    missed: list[str] = []
    for rel, (must, must_not) in _PAGES.items():
        text = " ".join(read(ROOT / rel).split())
        kept += sum(m in text for m in must)
        need += len(must)
        dropped += sum(b not in text for b in must_not)
        boxes += len(must_not)
        missed += [f"{Path(rel).name}: lost {m!r}" for m in must if m not in text]
        missed += [f"{Path(rel).name}: kept {b!r}" for b in must_not if b in text]
    per_page = (time.perf_counter() - started) / len(_PAGES) * 1000
    print(f"  {name:30} article phrases kept {kept}/{need}, box phrases dropped {dropped}/{boxes}, {per_page:.1f} ms a page")
    for line in missed:
        print(f"      {line}")


def main() -> None:
    print(f"{len(_PAGES)} pages with navigation, related and most-read boxes (English, Vietnamese, Chinese):")
    _score("geomap (html.parser rules)", _geomap)
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("  trafilatura: not installed (pip install trafilatura to compare)")
        return
    _score("trafilatura", _trafilatura(False))
    _score("trafilatura, favor_precision", _trafilatura(True))


if __name__ == "__main__":
    main()
