"""Synthetic district education plans for benchmarks at scale.

Each synthetic plan is one of the real district plans (the templates) rewritten for
another real county or district: place names, the province and city, years and the
five-year-plan period are replaced consistently, other numbers are perturbed, and
the sentences of each paragraph are perturbed (synonyms swapped, sentences
reordered, dropped, or borrowed from another template paragraph), so that no two plans
share most of their text and BM25 statistics stay realistic.

A paragraph's rewrite depends only on the seed, the plan number and the paragraph's
own text, so a template page that repeats its text (the Linan page does) still
repeats it after rewriting and ingestion removes the copy as it does for the real
page. The output is deterministic for a given seed and templates.

``--mixed`` makes a corpus that varies as the real one does (:func:`generate_mixed`):
district plans cut to any size from one page to the whole template, a few national
documents (the two national plans of ``../shared/plans``: a table of contents, chapters,
indicator tables as tab-separated rows), and, besides plain text with its flattened
table cells, HTML pages (tables as ``<table>``) and Word files (tables as Word
tables).

Usage::

    python benchmarks/synth.py OUT_DIR --plans 500 --seed 0 [--template FILE ...] [--mixed]

writes ``OUT_DIR/synth-0001.txt`` (``.html``, ``.docx``) … with a ``.meta.toml`` sidecar
each (id, title, region, level, issuer, issued, period), the layout of ``corpus/``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import math
import os
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DEFAULT_TEMPLATES = (
    CORPUS / "linan-2022-education-14th-fyp.raw.txt",
    CORPUS / "linping-education-14th-fyp.excerpt.txt",
)
SHARED_PLANS = Path(os.environ.get("PLANGRAPH_SHARED", CORPUS.parents[1] / "shared")) / "plans"
NATIONAL_TEMPLATES = (
    SHARED_PLANS / "national-china-education-modernization-2035.txt",
    SHARED_PLANS / "national-education-reform-outline-2010-2020.txt",
)
NATIONAL_SHARE = 0.03
"""Share of national documents in a mixed corpus (most plans are of counties and districts)."""
FORMAT_SHARES = (("txt", 0.6), ("html", 0.25), ("docx", 0.15))
"""How often a mixed corpus writes each format."""
PAGE_CHARS = 1_500
"""About one printed page of Chinese plan text."""

# (province, city, county or district): real names. A template's own place names
# are replaced by the chosen row's.
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("浙江省", "杭州市", "余杭区"), ("浙江省", "杭州市", "富阳区"), ("浙江省", "杭州市", "桐庐县"),
    ("浙江省", "杭州市", "淳安县"), ("浙江省", "杭州市", "建德市"), ("浙江省", "宁波市", "鄞州区"),
    ("浙江省", "宁波市", "象山县"), ("浙江省", "宁波市", "宁海县"), ("浙江省", "宁波市", "慈溪市"),
    ("浙江省", "温州市", "瑞安市"), ("浙江省", "温州市", "永嘉县"), ("浙江省", "温州市", "苍南县"),
    ("浙江省", "嘉兴市", "海宁市"), ("浙江省", "嘉兴市", "桐乡市"), ("浙江省", "湖州市", "德清县"),
    ("浙江省", "湖州市", "安吉县"), ("浙江省", "绍兴市", "诸暨市"), ("浙江省", "绍兴市", "新昌县"),
    ("浙江省", "金华市", "义乌市"), ("浙江省", "金华市", "东阳市"), ("浙江省", "衢州市", "江山市"),
    ("浙江省", "台州市", "温岭市"), ("浙江省", "丽水市", "龙泉市"), ("浙江省", "舟山市", "岱山县"),
    ("江苏省", "苏州市", "吴江区"), ("江苏省", "苏州市", "昆山市"), ("江苏省", "无锡市", "江阴市"),
    ("江苏省", "常州市", "武进区"), ("江苏省", "南京市", "江宁区"), ("江苏省", "南通市", "海门区"),
    ("江苏省", "扬州市", "仪征市"), ("江苏省", "盐城市", "东台市"), ("江苏省", "徐州市", "沛县"),
    ("安徽省", "合肥市", "肥西县"), ("安徽省", "芜湖市", "繁昌区"), ("安徽省", "黄山市", "歙县"),
    ("安徽省", "六安市", "霍山县"), ("福建省", "福州市", "闽侯县"), ("福建省", "泉州市", "晋江市"),
    ("福建省", "漳州市", "龙海区"), ("福建省", "南平市", "武夷山市"), ("江西省", "赣州市", "瑞金市"),
    ("江西省", "上饶市", "婺源县"), ("江西省", "九江市", "庐山市"), ("山东省", "青岛市", "即墨区"),
    ("山东省", "烟台市", "龙口市"), ("山东省", "潍坊市", "寿光市"), ("山东省", "临沂市", "沂南县"),
    ("河南省", "郑州市", "新郑市"), ("河南省", "洛阳市", "栾川县"), ("河南省", "信阳市", "固始县"),
    ("湖北省", "武汉市", "黄陂区"), ("湖北省", "宜昌市", "夷陵区"), ("湖北省", "恩施州", "利川市"),
    ("湖南省", "长沙市", "浏阳市"), ("湖南省", "株洲市", "醴陵市"), ("湖南省", "湘西州", "凤凰县"),
    ("广东省", "广州市", "从化区"), ("广东省", "佛山市", "顺德区"), ("广东省", "梅州市", "兴宁市"),
    ("广东省", "清远市", "英德市"), ("四川省", "成都市", "郫都区"), ("四川省", "绵阳市", "江油市"),
    ("四川省", "宜宾市", "南溪区"), ("四川省", "凉山州", "西昌市"), ("重庆市", "重庆市", "永川区"),
    ("重庆市", "重庆市", "彭水县"), ("贵州省", "遵义市", "仁怀市"), ("贵州省", "黔东南州", "凯里市"),
    ("云南省", "大理州", "大理市"), ("云南省", "红河州", "建水县"), ("陕西省", "西安市", "长安区"),
    ("陕西省", "宝鸡市", "凤翔区"), ("甘肃省", "兰州市", "榆中县"), ("河北省", "石家庄市", "正定县"),
    ("河北省", "保定市", "涿州市"), ("山西省", "晋中市", "平遥县"), ("辽宁省", "大连市", "庄河市"),
    ("吉林省", "延边州", "延吉市"), ("黑龙江省", "哈尔滨市", "五常市"), ("广西壮族自治区", "桂林市", "阳朔县"),
    ("海南省", "海口市", "琼山区"), ("内蒙古自治区", "呼和浩特市", "托克托县"), ("宁夏回族自治区", "银川市", "永宁县"),
)

# Place names the templates use: their district stems, city and province stems.
_TEMPLATE_DISTRICTS = ("临安", "临平", "余杭")
_TEMPLATE_CITY = "杭州"
_TEMPLATE_PROVINCE = "浙江"

# Words of plan prose and a near-synonym each; one direction only, so that a
# rewrite never undoes another.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("推进", "推动"), ("加强", "强化"), ("完善", "健全"), ("提升", "提高"), ("深化", "深入推进"),
    ("构建", "建立"), ("全面", "全方位"), ("积极", "主动"), ("探索", "试点"), ("落实", "贯彻"),
    ("优化", "改进"), ("实施", "开展"), ("促进", "推动"), ("打造", "建设"), ("创新", "革新"),
    ("鼓励", "支持"), ("努力", "着力"), ("进一步", "持续"), ("显著", "明显"), ("机制", "制度"),
)

_PERIODS = ("十一五", "十二五", "十三五", "十四五", "十五五", "十六五")
_YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")
_NUMBER_RE = re.compile(r"(?<![\d.])(\d+)(\.\d+)?(?![\d.])")
_SENTENCE_RE = re.compile(r"[^。；;！!？?]+[。；;！!？?]?")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class SynthPlan:
    """One generated plan: its file stem, text and sidecar fields."""

    plan_id: str
    text: str
    title: str
    region: str
    issuer: str
    issued: str
    period: str
    template: str
    level: str = "district"
    fmt: str = "txt"

    def meta_toml(self) -> str:
        fields = {"id": self.plan_id, "title": self.title, "region": self.region, "level": self.level,
                  "issuer": self.issuer, "issued": self.issued, "period": self.period}
        head = f"# Synthetic plan generated from {self.template} (synth.py).\n"
        return head + "".join(f'{k} = "{v}"\n' for k, v in fields.items())


@dataclass(frozen=True)
class _Variant:
    """Choices that hold for a whole plan."""

    seed: str
    province: str
    city: str
    district: str
    year_shift: int
    number_scale: float

    @property
    def stem(self) -> str:
        """The district name without its 区/县/市 suffix (``桐庐县`` → ``桐庐``), or the
        whole name when that would leave one character (``沛县``)."""
        return self.district[:-1] if len(self.district) > 2 else self.district

    @property
    def suffix(self) -> str:
        return self.district[-1]


def _rng(*parts: object) -> random.Random:
    """A generator seeded by a stable hash (not ``hash()``, which varies per process)."""
    digest = hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "little"))


def _rename_places(text: str, v: _Variant) -> str:
    for old in _TEMPLATE_DISTRICTS:
        text = text.replace(old + "区", v.district).replace(old, v.stem)
    if v.suffix != "区":  # a county or county-level city: 区委 → 县委, 全区 → 全县
        for word in ("区委", "区政府", "区教育局", "全区", "本区", "我区", "区级", "区属"):
            text = text.replace(word, word.replace("区", v.suffix))
    return text.replace(_TEMPLATE_CITY, v.city[:-1]).replace(_TEMPLATE_PROVINCE, v.province[:2])


def _shift_periods(text: str, shift: int) -> str:
    steps = shift // 5
    if not steps:
        return text
    order = _PERIODS if steps < 0 else tuple(reversed(_PERIODS))
    # replace the latest period first when moving forward (earliest first backwards)
    # so that a period is never shifted twice
    for name in order:
        i = _PERIODS.index(name) + steps
        if 0 <= i < len(_PERIODS):
            text = text.replace(name, _PERIODS[i])
    return text


def _perturb_numbers(text: str, v: _Variant, rng: random.Random) -> str:
    def year(m: re.Match[str]) -> str:
        return str(int(m.group(1)) + v.year_shift)

    def number(m: re.Match[str]) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        if len(whole) == 4 and whole.startswith(("19", "20")):
            return m.group(0)  # a year, shifted already
        value = float(whole + frac) * v.number_scale * rng.uniform(0.9, 1.1)
        if m.string.startswith("%", m.end()) or m.string.startswith("％", m.end()):
            value = min(value, 100.0)  # a share stays a share
        if frac:
            return f"{value:.{len(frac) - 1}f}"
        return str(max(1, round(value))) if int(whole) else "0"

    return _NUMBER_RE.sub(number, _YEAR_RE.sub(year, text))


def _perturb_sentences(line: str, rng: random.Random, borrowed: Sequence[str]) -> str:
    sentences = _SENTENCE_RE.findall(line)
    if len(sentences) < 2 or not _HAN_RE.search(line):
        return line
    # the first sentence of a paragraph is often its numbered heading: keep it first
    head, rest = sentences[0], sentences[1:]
    if len(rest) >= 2 and rng.random() < 0.5:
        i = rng.randrange(len(rest) - 1)
        rest[i], rest[i + 1] = rest[i + 1], rest[i]
    if len(rest) >= 3 and rng.random() < 0.3:
        del rest[rng.randrange(len(rest))]
    if borrowed and rng.random() < 0.3:
        rest.insert(rng.randrange(len(rest) + 1), rng.choice(borrowed))
    return head + "".join(rest)


def _swap_synonyms(line: str, rng: random.Random) -> str:
    for word, other in SYNONYMS:
        if word in line and rng.random() < 0.4:
            line = line.replace(word, other)
    return line


def _sentence_pool(texts: Sequence[str]) -> list[str]:
    """Whole sentences of the templates' prose paragraphs, to borrow from."""
    pool = []
    for text in texts:
        for line in text.splitlines():
            if len(line) >= 60:
                pool.extend(s for s in _SENTENCE_RE.findall(line)[1:] if 15 <= len(s) <= 120 and s.endswith("。"))
    return sorted(set(pool))


def _rewrite(text: str, v: _Variant, pool: Sequence[str]) -> str:
    done: dict[str, str] = {}  # a repeated paragraph is rewritten the same way
    out = []
    for line in text.split("\n"):
        if line not in done:
            rng = _rng(v.seed, line)
            new = _perturb_sentences(line, rng, pool)
            new = _swap_synonyms(new, rng)
            new = _shift_periods(new, v.year_shift)
            new = _perturb_numbers(new, v, rng)
            done[line] = _rename_places(new, v)
        out.append(done[line])
    return "\n".join(out)


def generate(n: int, seed: int = 0, templates: Sequence[Path] = DEFAULT_TEMPLATES,
             weights: Sequence[float] | None = None) -> Iterator[SynthPlan]:
    """Yield ``n`` synthetic plans.

    Args:
        n: how many plans.
        seed: the same seed and templates give the same plans.
        templates: real plan texts to rewrite.
        weights: how often each template is chosen (default: in proportion to its length,
            so the corpus has the passage counts of full plans).
    """
    texts = [p.read_text("utf-8") for p in templates]
    pool = _sentence_pool(texts)
    weights = list(weights) if weights is not None else [len(t) for t in texts]
    for i in range(1, n + 1):
        rng = _rng(seed, i)
        province, city, district = REGIONS[rng.randrange(len(REGIONS))]
        shift = rng.choice((-5, 0, 0, 5))
        t = rng.choices(range(len(texts)), weights)[0]
        v = _Variant(f"{seed}:{i}", province, city, district, shift, rng.uniform(0.6, 1.6))
        start = 2021 + shift
        period = _PERIODS[3 + shift // 5]
        yield SynthPlan(
            plan_id=f"synth-{i:04d}",
            text=_rewrite(texts[t], v, pool),
            title=f"{district}教育事业发展“{period}”规划",
            region=f"{city}{district}",
            issuer=f"{city}{district}教育局",
            issued=f"{start + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            period=f"{start}-{start + 4}",
            template=templates[t].name,
        )


def _cut(text: str, rng: random.Random) -> str:
    """The first lines of ``text``, their length drawn log-uniformly between one page
    and the whole text (so sizes spread from a page to the largest plan)."""
    if len(text) <= PAGE_CHARS:
        return text
    want = math.exp(rng.uniform(math.log(PAGE_CHARS), math.log(len(text))))
    out, size = [], 0
    for line in text.split("\n"):
        out.append(line)
        size += len(line) + 1
        if size >= want:
            break
    return "\n".join(out)


def generate_mixed(n: int, seed: int = 0) -> Iterator[SynthPlan]:
    """Yield ``n`` plans that vary as the real corpus does: district plans (the default
    templates) cut to sizes from one page to the whole, :data:`NATIONAL_SHARE` national
    documents (:data:`NATIONAL_TEMPLATES`, rewritten likewise, not cut), and formats
    drawn by :data:`FORMAT_SHARES`. Deterministic for a seed."""
    district = generate(n, seed)
    national = [(p, p.read_text("utf-8")) for p in NATIONAL_TEMPLATES if p.is_file()]
    pool = _sentence_pool([t for _, t in national])
    formats, shares = zip(*FORMAT_SHARES)
    for i, plan in enumerate(district, start=1):
        rng = _rng(seed, "mixed", i)
        fmt = rng.choices(formats, shares)[0]
        if national and rng.random() < NATIONAL_SHARE:
            path, text = national[rng.randrange(len(national))]
            v = _Variant(f"{seed}:{i}", "", "", "全国", 0, rng.uniform(0.8, 1.2))
            yield SynthPlan(plan.plan_id, _rewrite(text, v, pool), f"国家教育发展规划纲要（第{i}号样本）", "中国",
                            "中共中央、国务院", plan.issued, plan.period, path.name, "national", fmt)
            continue
        yield SynthPlan(plan.plan_id, _cut(plan.text, rng), plan.title, plan.region, plan.issuer, plan.issued,
                        plan.period, plan.template, plan.level, fmt)


def _blocks(text: str) -> Iterator[tuple[str, list[list[str]]]]:
    """Paragraphs (``("p", [[line]])``) and runs of tab-separated rows (``("table", rows)``)."""
    rows: list[list[str]] = []
    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            yield "table", rows
            rows = []
        if line.strip():
            yield "p", [[line]]
    if rows:
        yield "table", rows


def _html(plan: SynthPlan) -> str:
    parts = [f"<html><head><meta charset='utf-8'><title>{html.escape(plan.title)}</title></head><body>"]
    for kind, rows in _blocks(plan.text):
        if kind == "p":
            parts.append(f"<p>{html.escape(rows[0][0])}</p>")
        else:
            parts.append("<table>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                                             for row in rows) + "</table>")
    return "\n".join(parts) + "\n</body></html>\n"


def _write_docx(plan: SynthPlan, path: Path) -> None:
    import docx  # python-docx, a dependency of the Word reader

    doc = docx.Document()
    for kind, rows in _blocks(plan.text):
        if kind == "p":
            doc.add_paragraph(rows[0][0])
        else:
            width = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=width)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    doc.save(str(path))


def write_corpus(out: Path, n: int, seed: int = 0, templates: Sequence[Path] = DEFAULT_TEMPLATES, *,
                 mixed: bool = False) -> list[Path]:
    """Write ``n`` plans and their sidecars into ``out`` (``mixed``: :func:`generate_mixed`,
    in several formats); returns the plan files."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for plan in (generate_mixed(n, seed) if mixed else generate(n, seed, templates)):
        path = out / f"{plan.plan_id}.{plan.fmt}"
        if plan.fmt == "html":
            path.write_text(_html(plan), "utf-8")
        elif plan.fmt == "docx":
            _write_docx(plan, path)
        else:
            path.write_text(plan.text, "utf-8")
        path.with_suffix(".meta.toml").write_text(plan.meta_toml(), "utf-8")
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the plans into")
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--template", type=Path, action="append", help="a plan text to rewrite (repeatable)")
    parser.add_argument("--mixed", action="store_true", help="sizes, levels and formats as the real corpus varies")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = write_corpus(args.out, args.plans, args.seed, args.template or DEFAULT_TEMPLATES, mixed=args.mixed)
    print(f"{len(files)} plans in {args.out} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
