"""Demo data for `flask --app app seed-demo`: the city office (city.py) and its directives (directives.py)."""

from demo.city import PUBLICATIONS, SeedResult, seed

__all__ = ["PUBLICATIONS", "SeedResult", "seed"]
