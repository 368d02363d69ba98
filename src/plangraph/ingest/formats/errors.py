"""Errors a format reader raises on purpose.

Every one is an :class:`~plangraph.errors.InputError`, so the CLI, the app and a build
report it like any other bad plan file (a build skips the file and goes on). Each
message names the file and the problem; ``hint`` says what the user can do.
"""

from __future__ import annotations

from plangraph.errors import InputError


class FormatError(InputError):
    """A plan file cannot be turned into canonical text."""


class CorruptFileError(FormatError):
    """The file is damaged or is not the format its name or content claims."""


class EncryptedFileError(FormatError):
    """The file needs a password to be read."""


class NoTextLayerError(FormatError):
    """A PDF has pages but no extractable text (a scan, or glyphs without Unicode)."""


class EmptyDocumentError(FormatError):
    """The file parses but holds no plan text (e.g. an HTML page of chrome only)."""


class UnsupportedFormatError(FormatError):
    """The file is in a format no reader handles (e.g. legacy .doc)."""


class LimitError(FormatError):
    """Reading the file would cost more than an input limit allows (a decompression
    bomb, a page tree nested a thousand deep, a table of fifty thousand rows).

    ``limit`` is the name of the constant in :mod:`plangraph.ingest.limits` that was hit.
    """

    def __init__(self, message: str, *, limit: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.limit = limit
