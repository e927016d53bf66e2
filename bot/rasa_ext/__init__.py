"""Small extensions loaded by the Rasa server by module path (event broker, channels, NLU components)."""
