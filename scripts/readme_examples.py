"""Check that the command examples in README.md and docs/*.md are what the commands print.

Every ``$ plangraph …`` line in a fenced block of those pages (but a server's,
:data:`NOT_RUN`) is run against an index (the four plans, default encoders) and its
output compared with the lines shown under it. The README may abridge: ``…`` inside a line stands for any text, and a line that
is only ``…`` (or ``…  (9 rows)``) for any number of lines.

    .venv/bin/python scripts/readme_examples.py --check [--index DIR]   # exit 1 on drift
    .venv/bin/python scripts/readme_examples.py --show  [--index DIR]   # print the real outputs

Without ``--index`` the index is ``indexes/readme``, built (or brought up to date,
reusing its cached vectors) from ``corpus/`` and the two national plans in
``../shared/plans``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def pages() -> list[Path]:
    """The pages whose examples are checked: the README, then docs/ by name."""
    return [README, *sorted((ROOT / "docs").glob("*.md"))]
SHARED = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared")) / "plans"
NATIONAL = ("national-china-education-modernization-2035.txt", "national-education-reform-outline-2010-2020.txt")


@dataclass(frozen=True)
class Example:
    """One ``$ plangraph …`` line of the README and the output shown under it."""

    line: int
    command: str
    shown: tuple[str, ...]


# Commands that serve until stopped or need another server: shown, not run.
NOT_RUN = frozenset({"endpoint", "push"})
# Commands that read files, not an index.
NO_INDEX = frozenset({"ingest"})


def examples(text: str) -> list[Example]:
    """The examples of a README that can be run here, in order (not those of
    :data:`NOT_RUN`)."""
    out: list[Example] = []
    in_block = False
    current: tuple[int, str] | None = None
    shown: list[str] = []
    for no, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if in_block and current:
                out.append(Example(current[0], current[1], tuple(shown)))
            in_block, current, shown = not in_block, None, []
            continue
        if not in_block:
            continue
        if line.startswith("$ plangraph "):
            if current:
                out.append(Example(current[0], current[1], tuple(_trim(shown))))
            current, shown = (no, line[2:]), []
            if line.split()[2] in NOT_RUN:
                current = None
        elif current:
            shown.append(line)
    return out


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _pattern(shown: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for line in _trim(list(shown)):
        stripped = line.strip()
        if stripped == "…" or re.fullmatch(r"…\s+\(\d+ rows\)", stripped):
            tail = stripped[1:].strip()
            parts.append(r"(?:[^\n]*\n)*?" + (re.escape(tail) + r"[ \t]*\n" if tail else ""))
            continue
        pieces = line.rstrip().split("…")
        # spaces beside an ellipsis are part of what it leaves out (columns are padded)
        pieces = [p.rstrip() if i < len(pieces) - 1 else p for i, p in enumerate(pieces)]
        pieces = [p.lstrip() if i > 0 else p for i, p in enumerate(pieces)]
        body = r".*?".join(re.escape(piece) for piece in pieces)
        parts.append(body + r"[ \t]*\n")
    return re.compile("".join(parts) + r"(?:[^\n]*\n)*")


def matches(shown: tuple[str, ...], output: str) -> bool:
    """Whether ``output`` is what the README shows (with its abridgements)."""
    text = "\n".join(line.rstrip() for line in output.splitlines()) + "\n"
    return _pattern(shown).fullmatch(text) is not None if shown else True


def run(command: str, index: Path) -> str:
    """What ``command`` (``plangraph …``) prints on stdout, run in this process."""
    from plangraph.interfaces.cli import main

    argv = shlex.split(command)[1:]
    if argv[0] not in NO_INDEX:
        argv += ["--index", str(index)]
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    with contextlib.redirect_stdout(out):
        code = main(argv)
        out.flush()
    if code != 0:
        raise SystemExit(f"{command!r} exited {code}")
    return raw.getvalue().decode("utf-8")


def readme_index(path: Path) -> Path:
    """The index the examples run on, built or brought up to date (cached vectors are reused)."""
    from plangraph.workspace import build

    build([ROOT / "corpus", *(SHARED / n for n in NATIONAL)], path, progress=False)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 when an example drifted")
    mode.add_argument("--show", action="store_true", help="print every example's real output")
    parser.add_argument("--index", type=Path, help="a built index of the four plans (default: build indexes/readme)")
    args = parser.parse_args()
    index = args.index or readme_index(ROOT / "indexes" / "readme")
    drifted = total = 0
    for page in pages():
        where = page.relative_to(ROOT)
        for ex in examples(page.read_text(encoding="utf-8")):
            total += 1
            output = run(ex.command, index)
            if args.show:
                print(f"{where}:{ex.line}: $ {ex.command}\n{output}")
            elif not matches(ex.shown, output):
                drifted += 1
                print(f"{where}:{ex.line}: $ {ex.command} prints something else:\n{output}", file=sys.stderr)
    if args.check:
        print(f"{drifted} of {total} examples drifted")
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
