"""Count the imports hidden inside functions, per module of src/plangraph.

    python scripts/lazy_imports.py [--list] [SRC]

An import inside a function runs when the function does; plangraph keeps them for
heavy or optional libraries (torch, sentence-transformers, pymilvus, streamlit,
rapidocr, faiss, numpy…) so that importing the package and ``--help`` stay light
(docs/architecture.md). Imports under ``if TYPE_CHECKING:`` are not counted.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path


def hidden_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import statement inside a function of ``path``."""
    tree = ast.parse(path.read_text("utf-8"))
    found: dict[int, tuple[int, str]] = {}
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom):
                    found[id(node)] = (node.lineno, "." * node.level + (node.module or ""))
                elif isinstance(node, ast.Import):
                    found[id(node)] = (node.lineno, ", ".join(a.name for a in node.names))
    return sorted(found.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", default=str(Path(__file__).resolve().parents[1] / "src" / "plangraph"))
    parser.add_argument("--list", action="store_true", help="list each import")
    args = parser.parse_args()
    src = Path(args.src)
    total = own = 0
    rows = []
    for path in sorted(src.rglob("*.py")):
        hidden = hidden_imports(path)
        mine = sum(1 for _, m in hidden if m.startswith("plangraph"))
        total, own = total + len(hidden), own + mine
        if hidden:
            rows.append((len(hidden), mine, str(path.relative_to(src)), hidden))
    for n, mine, name, hidden in sorted(rows, key=lambda r: (-r[0], r[2])):
        print(f"{n:4d} {mine:4d}  {name}")
        if args.list:
            for line, module in hidden:
                print(f"           {line:5d} {module}")
    print(f"{total:4d} {own:4d}  in all (imports inside functions; of them, of plangraph modules)")


if __name__ == "__main__":
    main()
