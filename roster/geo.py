"""Distances between homes and posts: great-circle kilometres times the road factor."""

from __future__ import annotations

from roster.domain import Cadre, Post


def distance_km(
    lat1: float, lon1: float, lat2: float, lon2: float, road_factor: float = 1.3
) -> float:
    """Road distance estimate: great-circle distance times `road_factor`."""
    # imported at first use: haversine loads numpy (0.1–0.2 s), which the board's first
    # draw does not need; the checks that measure distances run after it
    from haversine import Unit, haversine

    return haversine((lat1, lon1), (lat2, lon2), unit=Unit.KILOMETERS) * road_factor


def commute_km(cadre: Cadre, post: Post, road_factor: float = 1.3) -> float:
    return distance_km(cadre.home_lat, cadre.home_lon, post.lat, post.lon, road_factor)


def within_commute(cadre: Cadre, post: Post, road_factor: float = 1.3) -> bool:
    return commute_km(cadre, post, road_factor) <= cadre.max_commute_km
