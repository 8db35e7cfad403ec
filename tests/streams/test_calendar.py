"""Node calendars: cut-offs, business days and hours, holidays, in the node's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from streams.calendar import Calendar, parse_duration

NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_an_order_after_the_cutoff_counts_from_the_next_business_day() -> None:
    dc = Calendar(timezone=NY, cutoff="14:00", hours="08:00-20:00")
    # Tue 2026-11-17 15:00 New York (20:00 UTC) is after the cut-off.
    start = dc.start_of_work(utc(2026, 11, 17, 20))
    assert start == utc(2026, 11, 18, 13)  # Wed 08:00 New York
    # Before the cut-off, work starts at once.
    assert dc.start_of_work(utc(2026, 11, 17, 18)) == utc(2026, 11, 17, 18)


def test_working_time_skips_nights_weekends_and_holidays() -> None:
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    dc = Calendar(
        timezone=NY, hours="08:00-20:00", business_days=weekdays, holidays=(date(2026, 11, 26),)
    )
    # Wed 2026-11-25 18:00 local + 8 working hours: 2h on Wed, Thu is a holiday,
    # then 6h from Fri 08:00 -> Fri 14:00 local (19:00 UTC).
    assert dc.add_working_time(utc(2026, 11, 25, 23), timedelta(hours=8)) == utc(2026, 11, 27, 19)
    # Fri 19:00 local + 4h: 1h on Friday, then Monday 08:00 + 3h = 11:00 local.
    assert dc.add_working_time(utc(2026, 11, 28, 0), timedelta(hours=4)) == utc(2026, 11, 30, 16)


def test_without_hours_every_hour_of_a_business_day_counts() -> None:
    cal = Calendar(business_days=("mon", "tue", "wed", "thu", "fri"))
    # Fri 2026-11-20 22:00 UTC + 4h: 2h left on Friday, then Monday 00:00 + 2h.
    assert cal.add_working_time(utc(2026, 11, 20, 22), timedelta(hours=4)) == utc(2026, 11, 23, 2)


def test_daylight_saving_changes_fall_where_they_fall_locally() -> None:
    dc = Calendar(timezone=NY, hours="08:00-20:00")
    # 2026-11-01 is the end of DST in New York: 08:00 local is 13:00 UTC that day.
    assert dc.start_of_work(utc(2026, 11, 1, 3)) == utc(2026, 11, 1, 13)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"cutoff": "2pm"}, "expected a time like 14:00"),
        ({"hours": "20:00-08:00"}, "hours must look like 08:00-20:00"),
        ({"business_days": ("monday",)}, "business days are some of"),
    ],
)
def test_bad_calendars_say_what_is_wrong(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Calendar(**fields)


def test_durations() -> None:
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("1.5d") == timedelta(hours=36)
    with pytest.raises(ValueError, match="expected a duration like"):
        parse_duration("soon")
