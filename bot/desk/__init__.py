"""The desk: an aiohttp app for people (caseworkers, service owners, the demo chat page) and other systems."""
