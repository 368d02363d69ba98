"""The façade: :func:`build` an index folder from plan files, then open it as a
:class:`Workspace` and ask it things (search, SPARQL, entities, compare, audit, export)."""

from plangraph.workspace.builder import BuildSummary, add, build, remove
from plangraph.workspace.core import Workspace
from plangraph.workspace.folder import default_index

__all__ = ["BuildSummary", "Workspace", "add", "build", "default_index", "remove"]
