"""What is wrong with a graph store folder, in words that name the file at fault, and
the hint that mends it (:mod:`plangraph.workspace.repair`).

RocksDB reports damage as ``RuntimeError("Corruption: …")``; opening a store for writing
rotates its log files before it fails, so a writer looks with a read-only open first,
which writes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox

from plangraph.errors import DamagedIndexError

_SST_SIZE = re.compile(r"Sst file size mismatch between expected (\d+) and file system (\d+) sstable: (\S+)")


def store_problem(exc: BaseException) -> str:
    """What a RocksDB error says is wrong with a store, naming the file at fault where
    it says which (a table file cut short: a full disk, a copy stopped half-way)."""
    text = str(exc)
    cut = _SST_SIZE.search(text)
    if cut:
        return f"{cut.group(3)} is cut short ({cut.group(2)} of its {cut.group(1)} bytes)"
    return text.strip() or type(exc).__name__


def repair_hint(index: Path) -> str:
    """How to remake an index's graph store from its shards (nothing is re-embedded)."""
    return f"rebuild the graph store from the plans' shards: plangraph repair --index {index}"


def damage(primary: Path) -> str | None:
    """What RocksDB finds wrong with a store when it opens it read-only (which writes
    nothing: opening it for writing would rotate its log files first), or None. A store
    that another process is writing may look damaged to a read-only open: then it is
    left to the writing open, which waits for that process."""
    try:
        probe = ox.Store.read_only(str(primary))
    except OSError:
        return None  # unreadable: the writing open says why
    except RuntimeError as exc:
        return None if _locked(primary) else store_problem(exc)
    del probe
    return None


def _locked(primary: Path) -> bool:
    """Whether a process holds the store's RocksDB lock (an ``fcntl`` lock on ``LOCK``)."""
    import fcntl

    try:
        fd = os.open(primary / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def damaged(primary: Path, problem: str) -> DamagedIndexError:
    """The error of a primary store that a writer must not change (readers still answer
    from the published snapshot)."""
    index = primary.parent.parent
    return DamagedIndexError(f"index {index}: the graph store is damaged ({problem}); nothing was changed",
                             hint=repair_hint(index), problem=problem)
