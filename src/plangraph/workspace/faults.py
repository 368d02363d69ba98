"""How a change stops: at a named step for the tests (``PLANGRAPH_FAULT_AT``, as kill -9
would), and on a full or read-only disk, which :func:`changing` reports as an error that
names the index folder (the index stays as it was published: readers go by its manifest).
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plangraph.errors import IndexStoreError

FAULT_ENV = "PLANGRAPH_FAULT_AT"
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
READ_ONLY_WORDS = ("Read-only file system", "Permission denied")
"""How RocksDB's IO errors (which carry no errno) say the same."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota) is full: an ``OSError``, or
    RocksDB's ``IO error: No space left on device``."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL or "No space left on device" in str(exc)


@contextmanager
def changing(index: Path) -> Iterator[None]:
    """Report a full disk or a read-only file system met while changing ``index`` as an
    :class:`IndexStoreError` naming the folder. Nothing is lost: readers go by the
    manifest, which still names the last complete index, and the next writer finishes
    or clears what this one left."""
    try:
        yield
    except (OSError, RuntimeError) as exc:
        where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
        if is_disk_full(exc):
            raise IndexStoreError(
                f"index {index}: no space left on its disk{where}; the change stopped and the index answers "
                "as it was before it", hint="free some space and run the command again: it carries on "
                "from where this one stopped") from None
        if isinstance(exc, OSError) and (exc.errno in READ_ONLY or any(m in str(exc) for m in READ_ONLY_WORDS)):
            raise IndexStoreError(f"index {index} cannot be changed: {exc.strerror or exc}{where}",
                                  hint="searches and queries still work; to change it, copy the folder "
                                       "to a writable disk") from None
        raise


def fault_point(step: str) -> None:
    """Die here, as kill -9 would, if ``PLANGRAPH_FAULT_AT`` names this step."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)
