"""Citations, documents and the errors for missing or unknown sources."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from valueloop.core.errors import MalformedFileError, MissingSourceError
from valueloop.core.sources import (
    Citation,
    Document,
    check_documents_known,
    documents_from_toml,
    parse_citation,
    shipped_documents,
)


def test_citation_needs_a_document_or_an_assumption() -> None:
    with pytest.raises(ValidationError, match=r"'document'.*'assumption'"):
        Citation()
    with pytest.raises(ValidationError, match="reason"):
        Citation(assumption="   ")
    with pytest.raises(ValidationError):
        Citation(document="x", unknown_key=1)  # type: ignore[call-arg]


def test_citation_short_forms() -> None:
    cited = Citation(document="iea-2024", section="table 3.1", year=2023)
    assert cited.short() == "iea-2024 §table 3.1 2023"
    assert not cited.is_assumption
    assumed = Citation(assumption="no published figure")
    assert assumed.is_assumption
    assert assumed.short() == "assumption: no published figure"
    both = Citation(document="iea-2024", assumption="scaled to 2030")
    assert not both.is_assumption
    assert both.short() == "iea-2024; assumption: scaled to 2030"


def test_parse_citation_errors_name_item_file_and_line() -> None:
    with pytest.raises(MissingSourceError, match="has no source") as info:
        parse_citation(None, item="cobalt.price", file="prices.toml", line=12)
    error = info.value
    assert (error.item, error.line, str(error.file)) == ("cobalt.price", 12, "prices.toml")
    assert str(error).startswith("MissingSourceError: prices.toml:12: cobalt.price: ")

    with pytest.raises(MissingSourceError, match="must be a table"):
        parse_citation("iea", item="cobalt.price")
    with pytest.raises(MissingSourceError, match="'document'") as info:
        parse_citation({"section": "3"}, item="cobalt.price")
    assert "allowed: keys document" in str(info.value)
    assert parse_citation({"document": "d", "section": "1"}, item="x") == Citation(
        document="d", section="1")


def test_shipped_documents_include_the_methods_literature() -> None:
    documents = shipped_documents()
    for doc_id in ("ishigami-homma-1990", "saltelli-sobol-1995", "iman-conover-1982"):
        assert documents[doc_id].id == doc_id
        assert documents[doc_id].title
        assert documents[doc_id].url and documents[doc_id].url.startswith("https://doi.org/")
    assert documents["ishigami-homma-1990"].year == 1990


def test_documents_from_toml() -> None:
    table = {"documents": {"a-doc": {"title": "A", "year": 2020, "publisher": "P"}}}
    assert documents_from_toml(table, file="x.toml") == {
        "a-doc": Document(id="a-doc", title="A", year=2020, publisher="P")}
    with pytest.raises(MalformedFileError, match="year") as info:
        documents_from_toml({"documents": {"a-doc": {"title": "A", "year": 1066}}},
                            file="x.toml")
    assert info.value.item == "documents.a-doc"
    assert "x.toml" in str(info.value)
    with pytest.raises(MalformedFileError):
        documents_from_toml({"documents": {"Bad Id": {"title": "A"}}}, file="x.toml")


def test_check_documents_known() -> None:
    documents = {"a": Document(id="a", title="A")}
    check_documents_known([("p.one", Citation(document="a")),
                           ("p.two", Citation(assumption="why"))], documents)
    with pytest.raises(MissingSourceError, match="unknown document 'b'") as info:
        check_documents_known([("p.one", Citation(document="a")),
                               ("p.two", Citation(document="b"))], documents, file="s.toml")
    assert info.value.item == "p.two"
    assert "s.toml" in str(info.value)
