"""The exception tree of plangraph.

Every error a user can cause derives from :class:`PlanGraphError`. The CLI prints
``Error: <message>`` (plus the hint, if any) and exits with status 1; the app shows
the message with ``st.error``. Messages name the file, line or field at fault and,
where there is a closed set of valid choices, list them.
"""

from __future__ import annotations

import errno
import os


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


def describe_exception(exc: BaseException) -> tuple[str, str | None]:
    """A message and hint for any exception, in the words of :class:`PlanGraphError`:
    what the CLI prints, and what a build reports for a plan whose reading raised it
    (a file name that is not UTF-8, a full disk, memory running out)."""
    if isinstance(exc, PlanGraphError):
        return exc.message, exc.hint
    if isinstance(exc, OSError):
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        what = exc.strerror or str(exc) or type(exc).__name__
        message = f"{where}: {what}" if where else what
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return message, "free some space on that disk, then run the command again"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return message, "check the permissions of that file or folder"
        return message, None
    if isinstance(exc, MemoryError):
        return "out of memory", "close other programs, or work on fewer plans at a time"
    if isinstance(exc, UnicodeEncodeError) and "surrogate" in exc.reason:  # bytes of a name that is not UTF-8
        bad = exc.object[exc.start:exc.end]
        try:
            shown = repr(os.fsencode(bad))
        except UnicodeError:
            shown = repr(bad)
        return (f"a file name or text holds bytes that are not UTF-8 ({shown})",
                "rename the file (or re-save the text) in UTF-8")
    if isinstance(exc, UnicodeEncodeError):
        return (f"cannot write this text as {exc.encoding}: {exc.reason} ({exc.object[exc.start:exc.end]!r})",
                "use a UTF-8 terminal, or set PYTHONIOENCODING=utf-8 (or LANG=C.UTF-8)")
    if isinstance(exc, UnicodeError):
        return f"text that is not valid {getattr(exc, 'encoding', 'UTF-8')}: {exc}", "plangraph reads UTF-8 text"
    return f"{type(exc).__name__}: {exc}", None
