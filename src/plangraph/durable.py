"""Durable, atomic replacement of a built folder: write a sibling, then swap it in.

A build writes everything into a temporary folder next to the target, fsyncs it, and
swaps it in with two renames (old → ``.NAME.previous``, new → ``NAME``). A reader
therefore sees the old folder or the new one, never a half-written one. If the process
dies between the two renames, a reader reads the previous folder where it is
(:func:`readable`) and the next writer puts it back (:func:`recover`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def fsync_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and make it durable."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_path(path: Path) -> None:
    """fsync a file or a folder (a folder's entries become durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_of(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def swap_into_place(tmp: Path, out: Path) -> None:
    """Replace folder ``out`` by the complete folder ``tmp`` (same parent)."""
    backup = backup_of(out)
    if backup.exists():
        shutil.rmtree(backup)
    if out.exists():
        os.rename(out, backup)
    os.rename(tmp, out)
    fsync_path(out.parent)
    shutil.rmtree(backup, ignore_errors=True)


def recover(out: Path) -> None:
    """Put back the previous folder if a swap died between its two renames."""
    backup = backup_of(out)
    if not out.exists() and backup.is_dir():
        os.rename(backup, out)


def readable(out: Path) -> Path:
    """The folder to read for ``out``: ``out``, or the previous folder when a swap died
    between its two renames (readers never write: a writer puts it back)."""
    backup = backup_of(out)
    return backup if not out.exists() and backup.is_dir() else out
