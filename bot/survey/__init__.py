"""Exit survey, satisfaction index, failure demand and the public report (plain Python)."""
