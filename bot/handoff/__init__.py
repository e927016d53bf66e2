"""Human handoff: routing, office hours, the queue and callback requests — plain Python over SQLAlchemy."""
