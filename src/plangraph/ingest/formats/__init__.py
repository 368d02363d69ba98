"""Format readers: a plan file (text, HTML, Word .docx, PDF) → :class:`Canonical` text.

Every reader produces the *canonical text* that the text pipeline ingests unchanged
(conventions in :mod:`plangraph.ingest.formats.canonical`): one block per line, table
rows as tab-separated cells. Citation offsets index that text, so it is what a build
stores with the index; for PDF, :attr:`Canonical.pages` maps offsets to pages.

The format is chosen from the file's first bytes (``%PDF-``, a zip holding
``word/document.xml``, an OLE header), then from its suffix; a ``.txt`` whose content
is an HTML page is read as HTML, with a finding saying so. Plain text passes through
unchanged. The parsers (lxml, python-docx, pdfplumber) are imported only when a file
of their format is read.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from plangraph.extensions import FORMAT_READERS
from plangraph.ingest.decode import decode_bytes, read_bytes
from plangraph.ingest.formats.canonical import FORMATS, Canonical
from plangraph.ingest.formats.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FormatError,
    NoTextLayerError,
    UnsupportedFormatError,
)

__all__ = [
    "FORMATS", "PLAN_SUFFIXES", "Canonical", "CorruptFileError", "EmptyDocumentError",
    "EncryptedFileError", "FormatError", "FormatReader", "NoTextLayerError", "UnsupportedFormatError",
    "detect_format", "read_canonical",
]

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
PLAN_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".docx", ".pdf")
"""Suffixes of the files a folder of plans is read for."""
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@runtime_checkable
class FormatReader(Protocol):
    """A plan file's bytes → canonical text; ``name`` is the file's name, for messages.
    The built-in readers are listed in :data:`plangraph.extensions.FORMAT_READERS`.

    Raises:
        FormatError: (a subclass naming the file) what the reader cannot read.
    """

    def __call__(self, data: bytes, name: str, /) -> Canonical: ...


def detect_format(name: str, data: bytes) -> str:
    """The reader for a file called ``name`` holding ``data``: its first bytes decide,
    then its suffix.

    Raises:
        UnsupportedFormatError: a legacy .doc/.wps, a zip that is not a .docx, or a
            suffix no reader handles (the message lists those that work).
    """
    suffix = Path(name).suffix.lower()
    head = data[:4096]
    if head.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in head[:1024]):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        if suffix == ".docx":
            return "docx"  # let the reader report the damage
        raise UnsupportedFormatError(f"{name}: a zip archive that is not a Word .docx document",
                                     hint="unpack it and ingest the plan file inside")
    if head.startswith(_OLE) and suffix != ".docx":
        raise UnsupportedFormatError(f"{name}: a legacy binary Office file (.doc/.wps), not .docx",
                                     hint="open it in Word or WPS and save it as .docx")
    if suffix == ".docx":
        return "docx"
    if suffix == ".pdf":
        return "pdf"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES or suffix == "":
        return "text"
    raise UnsupportedFormatError(
        f"{name}: unknown file type {suffix!r}; choose one of: {', '.join(PLAN_SUFFIXES)}")


def read_canonical(data: bytes, name: str) -> Canonical:
    """Any supported plan file's bytes → canonical text (``name`` is used in messages).

    Raises:
        FormatError: (a subclass naming the file) corrupt, encrypted, scanned, empty
            or unsupported files.
        InputError: a text file that is empty, binary or undecodable.
    """
    reader: FormatReader = FORMAT_READERS[detect_format(name, data)].load()  # its parser imported now
    return reader(data, name)


def read_any(path: str | Path) -> Canonical:
    """Read the plan file at ``path`` into canonical text (see :func:`read_canonical`)."""
    path = Path(path)
    return read_canonical(read_bytes(path), str(path))


def read_text(data: bytes, name: str) -> Canonical:
    """A text file: its decoded text as is, unless it is really an HTML page."""
    from plangraph.ingest.formats.html import looks_like_html

    decoded = decode_bytes(data, name)
    if looks_like_html(decoded.text):
        # a saved page would otherwise bring its <script> and menus into the passages
        from plangraph.ingest.formats.html import read_html
        return read_html(data, name, [f"{Path(name).name} is an HTML page saved as text; read as HTML"])
    return Canonical(decoded.text, "text", encoding=decoded.encoding)


if TYPE_CHECKING:  # mypy checks that each built-in reader satisfies the protocol
    from plangraph.ingest.formats.docx import read_docx
    from plangraph.ingest.formats.html import read_html
    from plangraph.ingest.formats.pdf import read_pdf

    _READERS: tuple[FormatReader, ...] = (read_text, read_html, read_docx, read_pdf)
