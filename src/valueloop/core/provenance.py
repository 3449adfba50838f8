"""Where every shipped number comes from: the index behind ``valueloop sources``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from valueloop.core.scenario import load_scenario
from valueloop.core.sources import shipped_documents
from valueloop.core.tables import Table


def shipped_scenario_files() -> list[Path]:
    folder = Path(str(resources.files("valueloop.data") / "scenarios"))
    return sorted(folder.glob("*.toml"))


def shipped_citations() -> Table:
    """One row per cited number in the shipped scenarios, with its document and section."""
    documents = shipped_documents()
    records = []
    for path in shipped_scenario_files():
        scenario = load_scenario(path)
        for item, citation in scenario.citations():
            document = documents.get(citation.document or "")
            records.append({
                "scenario": scenario.name,
                "item": item,
                "document": citation.document or "",
                "section": citation.section or "",
                "year": citation.year or (document.year if document else None),
                "assumption": citation.assumption or "",
                "note": citation.note or "",
            })
    return Table.from_records(
        "Sources of shipped parameters", records,
        columns=("scenario", "item", "document", "section", "year", "assumption", "note"),
        notes=(f"{sum(1 for r in records if r['assumption'])} of {len(records)} items carry an "
               "assumption of ours, with its reason.",))


def documents_table() -> Table:
    records = [{"id": d.id, "title": d.title, "publisher": d.publisher or "", "year": d.year,
                "url": d.url or "", "note": d.note or ""}
               for d in shipped_documents().values()]
    return Table.from_records("Shipped documents", records,
                              columns=("id", "title", "publisher", "year", "url", "note"))
