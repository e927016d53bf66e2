"""Language understanding pieces that ship with the repo: a spaCy pipeline built from the catalogue's
vocabulary (no model download), and the Rasa component that uses it."""
