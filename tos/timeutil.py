"""Time as MongoDB stores it: UTC, to the millisecond.

Every timestamp the engine writes comes from :func:`utc_now`, so what a
test reads back is the same on every backend. Datetimes are stored naive
(pymongo's convention for UTC), because the embedded backend cannot compare
aware and naive values.
"""

from datetime import datetime, timedelta, timezone


def utc_now():
    """Return the current instant as a naive UTC datetime, in whole ms."""
    return to_utc(datetime.now(timezone.utc))


def to_utc(value):
    """Return ``value`` as a naive UTC datetime truncated to milliseconds.

    A naive ``value`` is taken to be local time, as Robot Framework's date
    conversion produces; an aware one is converted from its own zone.
    """
    aware = value.astimezone(timezone.utc)
    whole_ms = aware.microsecond - aware.microsecond % 1000
    return aware.replace(microsecond=whole_ms, tzinfo=None)


def as_naive_utc(value):
    """Return a datetime read from MongoDB as a naive UTC datetime.

    A client made with ``tz_aware=True`` returns aware datetimes; naive ones
    are already UTC, as pymongo returns them by default.
    """
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def duration_ms(started, ended):
    """Whole milliseconds from ``started`` to ``ended``."""
    return int((ended - started) / timedelta(milliseconds=1))
