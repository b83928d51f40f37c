"""Read-only queries over the indexed tables, one module per resource; keyword-only helpers."""
