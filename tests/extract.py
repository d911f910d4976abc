"""The text a reader finds in a generated file: CSV, XLSX, JSON, .docx, PDF, ZIP."""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document as DocxDocument
from openpyxl import load_workbook
from pypdf import PdfReader

KINDS = {
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def text_of(content: bytes, kind: str) -> str:
    """The text a reader would find in a generated file."""
    if kind == "pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if kind == "docx":
        document = DocxDocument(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
        parts += [p.text for s in document.sections for p in s.footer.paragraphs]
        return "\n".join(parts) + "\n" + _zip_text(content)
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(content))
        cells = [str(c.value) for s in book for r in s.iter_rows() for c in r if c.value]
        return "\n".join(cells) + "\n" + _zip_text(content)
    if kind == "zip":
        return _zip_text(content)
    return content.decode("utf-8-sig")


def _zip_text(content: bytes) -> str:
    """Every member of a zip (docx and xlsx are zips too), tags stripped."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            kind = name.rsplit(".", 1)[-1]
            if kind in ("docx", "xlsx", "pdf"):
                parts.append(text_of(data, kind))
            else:
                parts.append(re.sub(r"<[^>]+>", " ", data.decode("utf-8", "replace")))
    return "\n".join(parts)


def response_text(response) -> str:
    """A response's text, generated files included (their text extracted)."""
    kind = KINDS.get(response.mimetype)
    data = response.get_data()
    return text_of(data, kind) if kind else data.decode("utf-8", "replace")
