"""The contract of a search backend: what the façade (:class:`plangraph.workspace.Workspace`)
asks of the searcher it opens, whichever answers.

Two backends exist (listed in :data:`plangraph.extensions.SEARCH_BACKENDS`): the local
:class:`~plangraph.search.read.searcher.Searcher` over the index folder's own search files, and
:class:`~plangraph.search.read.milvus_search.MilvusSearcher` over the Milvus collections that
``push-search`` fills. Both rank by the same rules (:mod:`plangraph.search.read.fusion`,
:mod:`plangraph.search.read.scope`) and cite the same passages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from plangraph.model import Hit
    from plangraph.search.read.fusion import FusionConfig
    from plangraph.search.read.scope import Scope


@runtime_checkable
class SearchBackend(Protocol):
    """Cited passages for a question.

    Attributes:
        fusion: how its rankings are combined and how much plans outside a question's
            scope are weighted down (:class:`~plangraph.search.read.fusion.FusionConfig`).
    """

    fusion: FusionConfig

    @property
    def retrievers(self) -> tuple[str, ...]:
        """The rankings it fuses: the encoders' names, ``bm25``, ``exact``."""
        ...

    def lexical_query(self, query: str) -> str | None:
        """What the lexical retriever is asked for ``query`` (None: it sits this one out)."""
        ...

    def scope(self, query: str, plans: Sequence[str] | None = None) -> Scope | None:
        """The plans ``query`` points to (:mod:`plangraph.search.read.scope`), if any."""
        ...

    def search_with_scope(self, query: str, top_k: int = 10, *, plan: str | Sequence[str] | None = None,
                          section: str | Sequence[str] | None = None,
                          predicate: Callable[[str], bool] | None = None,
                          retrievers: Sequence[str] | None = None, per_plan: int | None = None,
                          scoped: bool = True) -> tuple[list[Hit], Scope | None]:
        """The ``top_k`` best passages and the scope that ranked them (None: all plans alike)."""
        ...

    def search(self, query: str, top_k: int = 10, **options: Any) -> list[Hit]:
        """:meth:`search_with_scope`'s hits."""
        ...


if TYPE_CHECKING:  # mypy checks that each built-in backend satisfies the protocol
    from plangraph.search.read.milvus_search import MilvusSearcher
    from plangraph.search.read.searcher import Searcher

    _BACKENDS: tuple[type[SearchBackend], ...] = (Searcher, MilvusSearcher)
