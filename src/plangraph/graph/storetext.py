"""The text forms the graph store reads and writes: a plan's triples as N-Triples lines
(its own and those about nodes plans share), and the N-Quads stream that loads several
plans' N-Triples files into their named graphs in one bulk load
(:meth:`plangraph.graph.store.GraphStore.load_graphs`)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from plangraph.errors import IndexStoreError
from plangraph.graph.vocab import ID, PG


def split_shared(quads: Iterable[ox.Quad | ox.Triple], plan_id: str) -> tuple[list[str], list[str]]:
    """A plan's triples as N-Triples lines: those of its own nodes, and those that state
    what a node shared between plans is (a cited document, a body, a place: IRIs not
    under ``id:PLAN``), apart from its ``pg:plan`` and ``pg:evidence``, which stay with
    the plan.

    Two plans citing one document state the same title triple; in one union graph
    Oxigraph would count it twice (rdflib's union counts it once), so shared triples
    go to :data:`plangraph.graph.store.SHARED_GRAPH` once, whichever plans state them.
    """
    own = (f"{ID}{plan_id}/", f"{ID}{plan_id}")
    stay = {str(PG.plan), str(PG.evidence)}
    local: set[str] = set()
    shared: set[str] = set()
    for q in quads:
        line = f"{q.subject} {q.predicate} {q.object} ."
        subject = getattr(q.subject, "value", "")
        if subject.startswith(str(ID)) and not (subject.startswith(own[0]) or subject == own[1]) \
                and q.predicate.value not in stay:
            shared.add(line)
        else:
            local.add(line)
    return sorted(local), sorted(shared)


def ntriples_body(quads: Iterable[ox.Quad | ox.Triple]) -> tuple[str, int]:
    """The distinct triples of ``quads`` as N-Triples lines for INSERT DATA, and how many."""
    lines = {f"{q.subject} {q.predicate} {q.object} ." for q in quads}
    return "\n".join(sorted(lines)), len(lines)


def as_nquads(ntriples: bytes, graph: str) -> bytes:
    """The lines of an N-Triples file as N-Quads in ``graph``.

    The files are the plan shards' ``graph.nt``, one triple a line ending in `` .``
    (:func:`split_shared`); N-Triples escapes line breaks in literals, so a line break
    only ever ends a triple. A line that does not end so is refused rather than loaded
    into the default graph.
    """
    body = ntriples.rstrip(b"\n")
    if not body:
        return b""
    tail = f" {str(ox.NamedNode(graph))} .\n".encode()
    out = (body + b"\n").replace(b" .\n", tail)
    if out.count(b"\n") != out.count(tail):
        raise ValueError(f"not one triple a line ending in ' .': the N-Triples of {graph}")
    return out


class NQuadsReader(io.RawIOBase):
    """A binary stream of the N-Quads of several N-Triples files (graph IRI, path),
    holding one file in memory at a time."""

    def __init__(self, files: Sequence[tuple[str, Path]]) -> None:
        super().__init__()
        self._files = iter(files)
        self._data = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._data:
            nxt = next(self._files, None)
            if nxt is None:
                return 0
            graph, path = nxt
            try:
                self._data = memoryview(as_nquads(Path(path).read_bytes(), graph))
            except ValueError as exc:
                raise IndexStoreError(f"{path}: {exc}: the plan's shard is damaged; build the plan again "
                                      "(plangraph build, or plangraph add with its file)") from exc
        n = min(len(buffer), len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n
