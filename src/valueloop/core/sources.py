"""Citations: where every number comes from, or why it is our assumption.

A :class:`Citation` names a :class:`Document` by its short id plus the section or table, or it
carries ``assumption`` with the reason. Shipped documents live in ``data/documents/*.toml``; a
scenario file may add its own under ``[documents.ID]``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from valueloop.core.errors import MalformedFileError, MissingSourceError


class Document(BaseModel):
    """A citable document: a report, a statistical yearbook, a regulation, a data set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    publisher: str | None = None
    year: int | None = Field(default=None, ge=1800, le=2100)
    url: str | None = None
    licence: str | None = None
    note: str | None = None


class Citation(BaseModel):
    """The source of one number: a document and section, or an explicit assumption."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str | None = None
    """Id of a :class:`Document`."""
    section: str | None = None
    """Section, table or figure inside the document, as the document numbers it."""
    year: int | None = Field(default=None, ge=1800, le=2100)
    """Year the figure refers to or was published, when it differs from the document's."""
    note: str | None = None
    assumption: str | None = None
    """Set (to the reason) when the number is our own assumption rather than a cited figure."""

    @model_validator(mode="after")
    def _document_or_assumption(self) -> Citation:
        if not self.document and not self.assumption:
            raise ValueError("a source needs 'document' (with 'section') or 'assumption' (reason)")
        if self.assumption is not None and not self.assumption.strip():
            raise ValueError("'assumption' must give the reason for the assumption")
        return self

    @property
    def is_assumption(self) -> bool:
        return self.document is None and self.assumption is not None

    def short(self) -> str:
        if self.is_assumption:
            return f"assumption: {self.assumption}"
        parts = [self.document or ""]
        if self.section:
            parts.append(f"§{self.section}")
        if self.year:
            parts.append(str(self.year))
        text = " ".join(parts)
        return f"{text}; assumption: {self.assumption}" if self.assumption else text


def parse_citation(raw: Any, *, item: str, file: str | None = None,
                   line: int | None = None) -> Citation:
    """Build a citation from a TOML table, with an error that names the item when it is wrong."""
    if raw is None:
        raise MissingSourceError(
            "has no source", item=item, file=file, line=line,
            allowed="source = { document = 'ID', section = '...' } or "
                    "source = { assumption = 'reason' }",
        )
    if not isinstance(raw, Mapping):
        raise MissingSourceError(f"source must be a table, not {raw!r}", item=item, file=file,
                                 line=line)
    try:
        return Citation.model_validate(dict(raw))
    except ValidationError as exc:
        raise MissingSourceError(_first_error(exc), item=item, file=file, line=line,
                                 allowed="keys document, section, year, note, assumption") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"source {where}: {message}" if where else f"source: {message}"


@cache
def shipped_documents() -> Mapping[str, Document]:
    """Documents shipped with valueloop, by id."""
    documents: dict[str, Document] = {}
    folder = resources.files("valueloop.data") / "documents"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            documents.update(documents_from_toml(tomllib.loads(entry.read_text("utf-8")),
                                                 file=entry.name))
    return documents


def documents_from_toml(table: Mapping[str, Any], *, file: str) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for doc_id, fields in table.get("documents", {}).items():
        try:
            documents[doc_id] = Document.model_validate({"id": doc_id, **fields})
        except ValidationError as exc:
            raise MalformedFileError(_first_error(exc).replace("source", "document", 1),
                                     file=file, item=f"documents.{doc_id}") from None
    return documents


def check_documents_known(citations: Iterable[tuple[str, Citation]],
                          documents: Mapping[str, Document], *, file: str | None = None) -> None:
    """Every cited document id must exist; the error names the first item citing an unknown one."""
    for item, citation in citations:
        if citation.document and citation.document not in documents:
            raise MissingSourceError(
                f"cites unknown document {citation.document!r}", item=item, file=file,
                allowed="ids of shipped documents (valueloop sources --documents) or "
                        "[documents.ID] tables in the file",
            )
