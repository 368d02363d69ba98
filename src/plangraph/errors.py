"""The exception tree of plangraph.

Every error a user can cause derives from :class:`PlanGraphError`. The CLI prints
``Error: <message>`` (plus the hint, if any) and exits with status 1; the app shows
the message with ``st.error``. Messages name the file, line or field at fault and,
where there is a closed set of valid choices, list them.
"""

from __future__ import annotations


class PlanGraphError(Exception):
    """Base of every error plangraph raises on purpose.

    Args:
        message: What went wrong, naming the file/field at fault.
        hint: Optional advice on how to fix it, printed on its own line.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(PlanGraphError):
    """A plan file (or its sidecar) cannot be read or makes no sense."""


class DecodeError(InputError):
    """A plan file's bytes are not text in any encoding plangraph accepts."""


class MetadataError(InputError):
    """A metadata sidecar is malformed or names an invalid field value."""


class UsageError(PlanGraphError):
    """A command was called with arguments that cannot work."""


class IndexStoreError(PlanGraphError):
    """A built index is missing, corrupt, or was built with another encoder.

    (Not called ``IndexError``, which would shadow the builtin.)
    """


class DamagedIndexError(IndexStoreError):
    """An index's graph store is missing or damaged: writers refuse to change the index
    until it is rebuilt from the plans' shards; readers answer from its last snapshot."""

    def __init__(self, message: str, *, hint: str | None = None, problem: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problem = problem or message
        """What is wrong with the store, in a few words (the message says where, too)."""


class QueryError(PlanGraphError):
    """A SPARQL query is malformed, forbidden, or ran out of time."""


class QueryTimeoutError(QueryError):
    """A SPARQL query ran past its wall-clock limit and was stopped."""


class IndexWarning(UserWarning):
    """An index answers, but from its last published state: a writer's change to it is
    under way or was interrupted (the next ``build``, ``add``, ``remove`` or ``repair``
    finishes it)."""
