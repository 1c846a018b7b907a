"""How the keyword layer reads arguments written as text in a .robot file."""

from datetime import datetime, timedelta, timezone

import pytest

from TOSLibrary.base import to_time_or_delay


@pytest.mark.parametrize(
    "text, delay",
    [
        ("600", timedelta(seconds=600)),
        ("20261224", timedelta(seconds=20261224)),
        ("1.5", timedelta(seconds=1.5)),
        ("-5", timedelta(seconds=-5)),
        ("5 min", timedelta(minutes=5)),
        ("1 hour 30 s", timedelta(hours=1, seconds=30)),
    ],
)
def test_numbers_and_time_strings_are_delays(text, delay):
    assert to_time_or_delay(text) == delay


@pytest.mark.parametrize(
    "text, moment",
    [
        ("2026-12-24 08:00:00", datetime(2026, 12, 24, 8)),
        (
            "2026-12-24T08:00:00Z",
            datetime(2026, 12, 24, 8, tzinfo=timezone.utc),
        ),
        (
            "2026-12-24T08:00:00+02:00",
            datetime(2026, 12, 24, 8, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_iso_times_keep_their_zone(text, moment):
    assert to_time_or_delay(text) == moment
