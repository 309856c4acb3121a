"""The district's clock: its one time zone, today, this moment, and local times.

The district keeps Asia/Shanghai time (UTC+8, no daylight saving) whatever the server's
zone. Every "today" and "now" in roster comes from here, through pendulum's clock, so tests
can freeze it (`pendulum.travel_to`, or by replacing `pendulum.now`/`pendulum.today`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pendulum

TIMEZONE = "Asia/Shanghai"
ZONE = ZoneInfo(TIMEZONE)


def today() -> dt.date:
    """Today in the district's calendar."""
    return pendulum.today(TIMEZONE).date()


def local(at: dt.datetime) -> dt.datetime:
    """`at` in the district's zone; a naive datetime is taken to be local time already."""
    return at.replace(tzinfo=ZONE) if at.tzinfo is None else at.astimezone(ZONE)


def now() -> dt.datetime:
    """This second in the district's zone."""
    moment = dt.datetime.fromisoformat(pendulum.now(TIMEZONE).isoformat())
    return local(moment).replace(microsecond=0)


def local_text(iso_utc: str, fmt: str = "%m-%d %H:%M") -> str:
    """A stored UTC time (ISO text) as the coordinators' local date and time."""
    return dt.datetime.fromisoformat(iso_utc).astimezone(ZONE).strftime(fmt)
