"""Distances between homes and posts: great-circle kilometres times the road factor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from roster.domain import Cadre, Post

if TYPE_CHECKING:
    import numpy as np


def distance_km(
    lat1: float, lon1: float, lat2: float, lon2: float, road_factor: float = 1.3
) -> float:
    """Road distance estimate: great-circle distance times `road_factor`."""
    # imported at first use: haversine loads numpy (0.1–0.2 s), which the board's first
    # draw does not need; the checks that measure distances run after it
    from haversine import Unit, haversine

    return haversine((lat1, lon1), (lat2, lon2), unit=Unit.KILOMETERS) * road_factor


def distance_matrix(
    homes: Sequence[tuple[float, float]],
    places: Sequence[tuple[float, float]],
    road_factor: float = 1.3,
) -> np.ndarray:
    """Road km from every home (rows) to every place (columns), as `distance_km` counts it."""
    import numpy as np
    from haversine import Unit, haversine_vector

    if not homes or not places:
        return np.zeros((len(homes), len(places)))
    km = haversine_vector(list(places), list(homes), Unit.KILOMETERS, comb=True)
    return np.asarray(km, dtype=float) * road_factor


def commute_km(cadre: Cadre, post: Post, road_factor: float = 1.3) -> float:
    return distance_km(cadre.home_lat, cadre.home_lon, post.lat, post.lon, road_factor)


def within_commute(cadre: Cadre, post: Post, road_factor: float = 1.3) -> bool:
    return commute_km(cadre, post, road_factor) <= cadre.max_commute_km
