"""Copper materials database: grades, experimental records, properties, import/export, search."""
