"""What every page of the app shares: its labels (looked up in the one table,
:mod:`plangraph.interfaces.labels`), its error display and the cached workspace and
computations (one per built index, kept across sessions)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from plangraph.errors import PlanGraphError
from plangraph.graph.browse import concepts
from plangraph.interfaces import labels, present_search, writers
from plangraph.workspace import Workspace
from plangraph.workspace.core import WARM_QUERY
from plangraph.workspace.folder import MANIFEST

if TYPE_CHECKING:
    from plangraph.analysis.audit import AuditReport
    from plangraph.graph.planview import SectionNode


def t(key: str) -> str:
    """The label for ``key``: Chinese first with the English after it, or English only."""
    zh, en = labels.PAGE[key]
    if st.session_state.get("english"):
        return en
    return zh if zh == en else f"{zh} {en}"


def index_key(path: Path) -> str:
    """A cache key that changes when the index at ``path`` is rebuilt."""
    try:
        return f"{path.resolve()}@{(path / MANIFEST).stat().st_mtime_ns}"
    except OSError:
        return str(path)


def english() -> bool:
    """Whether the page is in English (the sidebar toggle)."""
    return bool(st.session_state.get("english"))


def table(rows: list[dict[str, Any]], *, keep: tuple[str, ...] = (), config: dict[str, Any] | None = None,
          **options: Any) -> None:
    """A data table with labelled columns (:mod:`plangraph.interfaces.labels`) and codes
    in words; ``config`` adds column configurations by key (their labels set here)."""
    en = english()
    columns: dict[str, Any] = dict(labels.column_labels(rows, en))
    columns.update(config or {})
    st.dataframe(one_type(labels.display_rows(rows, en, keep)), hide_index=True, column_config=columns, **options)


def one_type(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with the numbers of a column that also has empty cells (``""``, a None shown
    empty) as text: Arrow refuses a column of numbers and strings, and Streamlit then logged
    the error with its traceback and converted the column itself, at every rerun (a plan's
    findings and audit: the offsets of a finding without any)."""
    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    keys = dict.fromkeys(k for r in rows for k in r)
    mixed = {k for k in keys if any(r.get(k) == "" for r in rows) and any(number(r.get(k)) for r in rows)}
    if not mixed:
        return rows
    return [{k: str(v) if k in mixed and number(v) else v for k, v in r.items()} for r in rows]


def show_error(exc: PlanGraphError) -> None:
    st.error(exc.message)
    if exc.hint:
        st.caption(exc.hint)


def release_workspace(ws: Workspace) -> None:
    """A workspace the cache let go: its store snapshot, search files and query workers
    are released now rather than whenever it is collected, so that the writer can remove
    the snapshot of an index published again (pages still drawing with it reopen them)."""
    ws.close()


# One entry: the app serves one index, and a new key (the index was published again)
# replaces the old workspace at once instead of keeping it, and its open files, around.
@st.cache_resource(show_spinner=False, max_entries=1, on_release=release_workspace)
def open_workspace(key: str, path: str) -> Workspace:
    """The Workspace of the built index (``key`` changes when it is published again)."""
    return Workspace(path)


def _emoji_pattern() -> None:
    import streamlit.emojis  # noqa: F401


def _pandas() -> None:
    import pandas  # noqa: F401


@st.cache_resource(show_spinner=False, max_entries=1)
def preload_in_background(key: str, _ws: Workspace, delay_s: float = 1.5) -> threading.Thread:
    """Load, once per index and after the search index (:meth:`Workspace.warm`, which the first
    question needs), what the pages would otherwise load on a reader's click. At 500 plans, load 9:
    the word tokenizer that marks a question's words in the result cards (jieba's dictionary,
    2.4 s of the first question's 4.6 s), the emoji pattern Streamlit compiles at the first
    pill (0.5 s), pandas, which Streamlit imports at the first table (1.1 s of the plans page's
    first open), and the store snapshot (the section tree of the search page's plan filter and
    every entity table read it). Loaded beside the search index, they slowed the first question."""
    def run() -> None:
        time.sleep(delay_s)
        try:
            _ws.warm()  # waits for the warm-up that main() started, or does it
            for load in (lambda: present_search.query_terms(WARM_QUERY), _emoji_pattern, _pandas,
                         lambda: _ws.dataset):
                _ws.foreground.wait_idle()
                load()
        except (ImportError, PlanGraphError):  # the page that needs them meets it again
            pass

    thread = threading.Thread(target=run, name="plangraph-app-preload", daemon=True)
    thread.start()
    return thread


@st.cache_data(show_spinner=False, max_entries=32)
def export_data(key: str, path: str, kind: str, fmt: str, plans: tuple[str, ...] | None) -> bytes:
    return writers.export_bytes(open_workspace(key, path), kind, fmt, plans)


@st.cache_resource(show_spinner=False, max_entries=256)
def _sections(key: str, path: str, plan: str, _ws: Workspace) -> tuple[SectionNode, ...]:
    return tuple(_ws.sections(plan))


def plan_sections(ws: Workspace, plan: str) -> list[SectionNode]:
    """The plan's section tree (:meth:`Workspace.sections`), kept per index and plan: the search
    page asked for it again at every question while a plan was picked (0.15-0.6 s at 500 plans)."""
    return list(_sections(index_key(ws.path), str(ws.path), plan, ws))


@st.cache_resource(show_spinner=False, max_entries=32)
def audit_report(key: str, path: str, plan: str) -> AuditReport:
    """The plan's :class:`~plangraph.analysis.audit.AuditReport` (a few seconds; once per index and plan)."""
    return open_workspace(key, path).audit(plan)


def concept_label(key: str) -> str:
    c = next((c for c in concepts() if c.key == key), None)
    return key if c is None else (c.en if st.session_state.get("english") else c.zh)


def open_entity(iri: str | None) -> None:
    """Show the entity page for ``iri`` (a callback: runs before the page is drawn)."""
    if iri:
        st.session_state["entity"] = iri
        st.session_state["page"] = "entities"


def chip_clicked(key: str) -> None:
    open_entity(st.session_state.get(key))
    st.session_state[key] = None
