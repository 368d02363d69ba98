"""Table extraction scored row by row: precision and recall per entity kind, per layout
and per shared plan.

Layouts: the fixtures of tests/data/tables/ (text, HTML, Word and PDF, each with the
rows it should give, written by hand). Shared plans: the four real plans, against
the rows tests/data/tables/shared/ holds for them (frozen from the .txt extraction
that tests/test_extract.py pins), and the Lin'an plan again as published in every
format (tests/data/formats/). A row counts only when every field is exact
(:mod:`plangraph.analysis.extraction`).

    .venv/bin/python benchmarks/bench_extract.py [--markdown] [--freeze-shared]

``--freeze-shared`` rewrites the shared plans' expected rows from the current
extraction (only after checking a change on purpose).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from plangraph.analysis.extraction import KINDS, Score, expected_rows, rows_of, score_rows  # noqa: E402
from plangraph.extract.mentions import Extraction  # noqa: E402
from plangraph.extract.pipeline import extract  # noqa: E402
from plangraph.ingest.pipeline import ingest_file, ingest_text  # noqa: E402

TABLES = ROOT / "tests" / "data" / "tables"
FORMATS = ROOT / "tests" / "data" / "formats"
SHARED = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared")) / "plans"
SHARED_PLANS = {
    "linan": ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt",
    "linping": ROOT / "corpus" / "linping-education-14th-fyp.excerpt.txt",
    "national-china-education-modernization-2035": SHARED / "national-china-education-modernization-2035.txt",
    "national-education-reform-outline-2010-2020": SHARED / "national-education-reform-outline-2010-2020.txt",
}
SUFFIXES = (".txt", ".html", ".docx", ".pdf")


def layout_files() -> list[Path]:
    """The layout fixtures: every file of tests/data/tables/ that has expected rows."""
    return sorted(p for p in TABLES.iterdir() if p.suffix in SUFFIXES and p.with_suffix(".json").exists())


def spec_of(x: Extraction) -> dict[str, Any]:
    """An extraction as expected-rows JSON (what --freeze-shared writes)."""
    def num(v: object) -> object:
        return str(v) if isinstance(v, Decimal) else v
    return {
        "indicators": [{"category": i.category, "name": i.name, "sublabel": i.sublabel, "unit": i.unit,
                        "binding": i.binding,
                        "values": [[v.year, v.role, v.comparator, num(v.number) if v.number is not None else v.text]
                                   for v in i.values]} for i in x.indicators],
        "projects": [{"seq": p.seq, "name": p.name, "scale": p.scale, "location": p.location,
                      "start_year": p.start_year, "end_year": p.end_year, "investment_wan": num(p.investment_wan)}
                     for p in x.projects],
        "programmes": [{"seq": p.seq, "name": p.name, "content": p.content} for p in x.programmes],
    }


def score_file(path: Path, spec: dict[str, Any], sidecar: dict[str, object] | None = None) -> dict[str, Score]:
    if sidecar is None:
        doc = ingest_file(path)
    else:  # the Lin'an fixtures carry no sidecar: give them the .txt's plan id
        from plangraph.ingest.formats import read_any

        canonical = read_any(path)
        doc = ingest_text(canonical.text, path, sidecar=sidecar, source=canonical)
    return score_rows(expected_rows(spec), rows_of(extract(doc)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--freeze-shared", action="store_true", help="rewrite the shared plans' expected rows")
    args = ap.parse_args()
    if args.freeze_shared:
        (TABLES / "shared").mkdir(exist_ok=True)
        for plan, path in SHARED_PLANS.items():
            spec = spec_of(extract(ingest_file(path)))
            (TABLES / "shared" / f"{plan}.json").write_text(json.dumps(spec, ensure_ascii=False, indent=0) + "\n")
    results: list[tuple[str, str, dict[str, Score]]] = []
    for path in layout_files():
        spec = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        results.append((path.stem, path.suffix.lstrip("."), score_file(path, spec)))
    for plan, path in SHARED_PLANS.items():
        gold = TABLES / "shared" / f"{plan}.json"
        if not path.exists() or not gold.exists():
            print(f"(skipped {plan}: {path if not path.exists() else gold} not found)")
            continue
        spec = json.loads(gold.read_text(encoding="utf-8"))
        results.append((f"shared: {plan}", "txt", score_file(path, spec)))
        if plan == "linan":
            for fmt in ("html", "docx", "pdf"):
                results.append((f"shared: {plan}", fmt, score_file(
                    FORMATS / f"linan-2022-education-14th-fyp.{fmt}", spec, sidecar={"id": "linan"})))
    header = ["layout / plan", "format", "kind", "expected", "found", "exact", "precision", "recall"]
    rows = []
    for name, fmt, scores in results:
        for kind in KINDS:
            s = scores[kind]
            if s.expected or s.found:
                rows.append([name, fmt, kind, str(s.expected), str(s.found), str(s.exact),
                             f"{s.precision:.3f}", f"{s.recall:.3f}"])
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    layouts = [(n, s) for n, f, s in results if not n.startswith("shared")]
    worst = min((min(s[k].precision, s[k].recall) for _, s in layouts for k in KINDS), default=1.0)
    total = {k: Score(*(sum(getattr(s[k], a) for _, s in layouts) for a in ("expected", "found", "exact")))
             for k in KINDS}
    print(f"\n{len(layouts)} layouts; worst precision or recall of a layout: {worst:.3f}; over all layouts: "
          + ", ".join(f"{k} P {t.precision:.3f} R {t.recall:.3f} ({t.exact}/{t.expected})" for k, t in total.items()))


if __name__ == "__main__":
    main()
