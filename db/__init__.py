"""Data layer: models, engine, queries, FSM storage and migrations."""
