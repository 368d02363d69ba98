"""plangraph in the browser: search the plans, browse their entities, read and audit
each plan, compare two, ask SPARQL, export.

A thin entry: the pages live in :mod:`plangraph.interfaces.webapp`. Run with
``streamlit run app.py`` (the index comes from ``PLANGRAPH_INDEX``, default
``indexes/default``).
"""

from pathlib import Path

from plangraph.interfaces.webapp.main import main

main(corpus=Path(__file__).resolve().parent / "corpus")
