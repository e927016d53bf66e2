"""Signpost runtime: CLI, database, desk and Rasa-side components."""
