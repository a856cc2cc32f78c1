"""Extraction speed by language: English, Vietnamese and Chinese reports, per MB.

Writes three corpora of generated reports of about 5 KB each (UTF-8 bytes;
templates in the project's own words, with the same share of fact sentences,
about one in eight, as ``bench_extract``), extracts each end to end three
times and prints the medians in MB/s and articles/s, and each language's time
per MB against English's (the aim: within 1.5x).

Run: ``python -m benchmarks extract_languages`` (``BENCH_LANG_N`` articles a
language, 1,500 by default); ``python -m benchmarks extract`` runs it too, at
the end.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

N_ARTICLES = int(os.environ.get("BENCH_LANG_N", "1500"))
REPEATS = 3
_FACT_SHARE = 0.12

_VI = {
    "places": ["Lạng Sơn", "tỉnh Cao Bằng", "Quảng Ninh", "Lào Cai", "Hà Giang", "Móng Cái", "Điện Biên", "An Giang",
               "Tây Ninh", "Hà Nội", "cửa khẩu Quốc tế Hữu Nghị", "cửa khẩu Tây Trang", "Bằng Tường", "Hà Khẩu"],
    "countries": ["Trung Quốc", "Lào", "Campuchia", "Việt Nam"],
    "facts": [
        "Ngày {day}/{month}, Đồn Biên phòng {p1} phát hiện {n} người xuất cảnh trái phép sang {c1}.",
        "Từ đầu năm đến nay, Bộ đội Biên phòng tỉnh {p2} đã bắt giữ {k} vụ với hơn {m} người nhập cảnh trái phép.",
        "Chiều {day}/{month}, Công an {p1} bắt {k} đối tượng tổ chức cho {n} người vượt biên.",
        "Lực lượng chức năng thu giữ {w} kg ma túy và {n} bánh heroin tại {p2}.",
        "Trong tháng {month}/2024, Hải quan {p1} phát hiện {k} vụ buôn lậu, trị giá khoảng {w} tỷ đồng.",
        "Các đối tượng đưa người từ {p1} qua {p2} sang {c1}.",
        "Ngày {day}/{month}, hai bên tổ chức hội đàm tại {p3}.",
        "Đơn vị đã tuyên truyền cho hơn {m} lượt người và phát {n} tờ rơi tại {p3}.",
        "Hai đồn tổ chức tuần tra song phương trên tuyến biên giới thuộc {p1} ngày {day}/{month}.",
        "Cửa khẩu {p3} làm thủ tục cho {m} lượt người và {n} lượt phương tiện trong tháng {month}.",
        "Ngày {day}/{month}, phía {c1} trao trả {n} công dân qua {p3}.",
    ],
    "filler": [
        "Người dân ở {p1} cho biết chợ biên giới luôn đông vui vào cuối tuần.",
        "Mưa lớn trong tháng {month} làm sạt lở một số đoạn đường lên {p3}.",
        "Lãnh đạo tỉnh cảm ơn bà con đã phối hợp với lực lượng chức năng.",
        "Hai bên cần tiếp tục tăng cường phối hợp trong thời gian tới.",
        "Công tác phòng, chống ma túy vẫn được xác định là nhiệm vụ trọng tâm.",
        "{p1} có đường biên giới dài khoảng {km} km với {c1}.",
        "Năm {year}, tỉnh mở thêm một khu chợ đầu mối gần {p3}.",
        "Nhiều thanh niên các xã vùng cao xuống {p2} làm việc trong các nhà máy.",
        "Giá lúa gạo tại {p2} ổn định trong tháng qua, theo các tiểu thương.",
        "Trường học ở {p3} đã bổ sung lớp học tiếng dân tộc cho học sinh.",
        "Tuyến đường mới nối {p1} với {p2} dự kiến hoàn thành vào năm {year2}.",
        "Đoàn công tác đã thăm hỏi các gia đình chính sách tại bản {p3}.",
    ],
}
_ZH = {
    "places": ["凭祥市", "东兴", "河口", "友谊关口岸", "东兴口岸", "河口口岸", "南宁", "崇左", "防城港", "麻栗坡",
               "勐腊县", "那坡县", "谅山省", "老街省", "芒街"],
    "countries": ["越南", "老挝", "中国", "柬埔寨"],
    "facts": [
        "{month}月{day}日，{p1}边检站查获非法入境人员{n}名。",
        "今年以来，{p2}警方共破获组织他人偷越国境案件{k}起，抓获犯罪嫌疑人{n}名。",
        "{month}月{day}日，民警在{p1}查获冰毒{w}公斤、麻古{m}粒。",
        "去年，{p2}海关共查获走私冻品{n}余吨，案值{k}亿元。",
        "犯罪团伙从{c1}经{p1}前往{p2}。",
        "{month}月{day}日，中越双方在{p3}举行会晤。",
        "该大队开展普法宣传，发放宣传资料{m}余份。",
        "{month}月{day}日，双方在{p1}开展联合巡逻，出动警力{k}人。",
        "春节期间，{p3}验放出入境人员{w}万人次、车辆{n}辆次。",
        "{month}月{day}日，{p1}向越方遣返越南籍人员{n}名。",
        "{month}月{day}日，双方在{p2}举行联合演练，共{k}人参加。",
    ],
    "filler": [
        "{p1}的边民互市点每到周末都十分热闹。",
        "{month}月的大雨导致通往{p3}的部分道路受损。",
        "当地干部感谢群众对边境管控工作的支持。",
        "双方将继续加强在打击跨境犯罪方面的合作。",
        "禁毒工作仍是当地公安机关的重点任务。",
        "{p1}与{c1}接壤的边境线长约{km}公里。",
        "{year}年，当地在{p3}附近新建了一个农贸市场。",
        "不少年轻人到{p2}的工厂务工，每月寄钱回家。",
        "据商户介绍，{p2}的大米和猪肉价格本月保持稳定。",
        "{p3}的学校增设了民族语言课程。",
        "连接{p1}和{p2}的新公路预计于{year2}年建成通车。",
        "工作组走访慰问了{p3}的困难群众。",
    ],
}


def _english():
    import benchmarks.bench_extract as be

    return {"places": be._PLACES, "countries": be._COUNTRIES, "facts": be._TEMPLATES, "filler": be._FILLER, "months": be._MONTHS}


def _article(rng: random.Random, i: int, words: dict, code: str) -> dict:
    parts: list[str] = []
    size = 0
    while size < 5000:  # bytes of UTF-8, as the corpus is measured
        template = rng.choice(words["facts"] if rng.random() < _FACT_SHARE else words["filler"])
        year = rng.randint(2012, 2026)
        month = rng.choice(words["months"]) if "months" in words else rng.randint(1, 12)
        sentence = template.format(
            p1=rng.choice(words["places"]), p2=rng.choice(words["places"]), p3=rng.choice(words["places"]),
            c1=rng.choice(words["countries"]), c2=rng.choice(words["countries"]), month=month,
            day=rng.randint(1, 28), n=rng.randint(2, 400), m=rng.randint(100, 90_000), k=rng.randint(2, 40),
            w=round(rng.uniform(0.5, 80), 1), km=rng.randint(40, 600), pct=rng.randint(3, 60), year=year,
            year2=year + 2,
        )  # fmt: skip
        parts.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
        if rng.random() < 0.25:
            parts.append("\n\n")
    year = rng.randint(2019, 2026)
    joiner = "" if code == "zh" else " "
    text = joiner.join(parts).replace(f"{joiner}\n\n{joiner}", "\n\n")
    return {"id": f"{code}-{i:05d}", "title": f"{code} report {i}", "source": "Generated (benchmark)",
            "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "text": text}  # fmt: skip


def _corpus(folder: Path, code: str, words: dict, n: int) -> tuple[Path, int]:
    rng = random.Random(20261203)
    path = folder / f"{code}.jsonl"
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            line = json.dumps(_article(rng, i, words, code), ensure_ascii=False)
            size += len(line.encode("utf-8"))
            fh.write(line + "\n")
    return path, size


def compare(n: int = N_ARTICLES, gazetteer=None) -> None:
    """Print each language's extraction speed and its time per MB against English's."""
    from geomap.extract import extract
    from geomap.gazetteer import load_gazetteer
    from geomap.places import _shared_matcher

    gazetteer = gazetteer or load_gazetteer()
    _shared_matcher(gazetteer)
    per_mb: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {code: _corpus(Path(tmp), code, words, n) for code, words in (("en", _english()), ("vi", _VI), ("zh", _ZH))}
        extract([corpora["en"][0]], gazetteer=gazetteer)  # warm caches once
        for code, (path, size) in corpora.items():
            runs = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                tables = extract([path], gazetteer=gazetteer)
                runs.append(time.perf_counter() - started)
            seconds = statistics.median(runs)
            per_mb[code] = seconds / (size / 1e6)
            langs = {str(k): int(v) for k, v in tables.articles["lang"].value_counts().items()}
            print(
                f"  {code}: {n:,} articles, {size / 1e6:.1f} MB: {size / 1e6 / seconds:.2f} MB/s, {n / seconds:,.0f} articles/s "
                f"(median of {REPEATS}: {', '.join(f'{t:.1f}' for t in runs)} s); {len(tables.incidents) / n:.1f} incidents, "
                f"{len(tables.mentions) / n:.0f} mentions an article; detected {langs}"
                + (f"; {per_mb[code] / per_mb['en']:.2f}x English's time per MB" if code != "en" else "")
            )


def main() -> None:
    print(f"extraction by language ({N_ARTICLES:,} generated reports of about 5 KB each a language):")
    compare()


if __name__ == "__main__":
    main()
