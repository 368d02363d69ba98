"""The façade: :func:`build` an index folder from plan files, then open it as a
:class:`Workspace` and ask it things (search, SPARQL, entities, compare, audit, export); :func:`repair` mends it."""

from plangraph.workspace.builder import BuildSummary, add, build, remove
from plangraph.workspace.core import Workspace
from plangraph.workspace.folder import default_index
from plangraph.workspace.repair import RepairReport, repair

__all__ = ["BuildSummary", "RepairReport", "Workspace", "add", "build", "default_index", "remove", "repair"]
