"""Rasa custom actions: thin translators between the tracker and Signpost's plain-Python domain logic."""
