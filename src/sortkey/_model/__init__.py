"""The model layer: tables, indexes, entities, key templates and field helpers. No I/O."""
