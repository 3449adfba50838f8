"""Reference data shipped as text with provenance (documents, scenarios, claims, tables)."""
