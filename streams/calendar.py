"""Working calendars of nodes: cut-offs, business days and hours, holidays.

A warehouse with a 14:00 cut-off counts an order placed at 15:00 from the next business
day; with business hours, an SLA of 8h means eight working hours. All arithmetic is in
the node's local time zone, so daylight-saving changes fall where they fall locally.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | int | float) -> timedelta:
    """``90m``, ``24h``, ``2d``, ``30s`` (or a number of seconds)."""
    if isinstance(text, int | float):
        return timedelta(seconds=float(text))
    m = _DURATION.match(text)
    if not m:
        if text.startswith("P"):  # ISO 8601 (PT5S, P1DT2H), as pydantic writes durations
            try:
                return TypeAdapter(timedelta).validate_python(text)
            except ValidationError:
                pass
        raise ValueError(f"expected a duration like 90m, 24h or 2d, got {text!r}")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


def _hhmm(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"expected a time like 14:00, got {text!r}") from exc


class Calendar(BaseModel):
    """When a node works. Without ``hours``, every hour of a business day counts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "UTC"
    cutoff: str | None = Field(default=None, description="Orders after this local time "
                               "count from the next business day, e.g. 14:00.")  # fmt: skip
    business_days: tuple[str, ...] = DAYS
    hours: str | None = Field(default=None, description="Working hours, e.g. 08:00-20:00.")
    holidays: tuple[date, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("business_days")
    @classmethod
    def _days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [d for d in value if d not in DAYS]
        if bad or not value:
            raise ValueError(f"business days are some of {', '.join(DAYS)}; got {list(value)}")
        return value

    @model_validator(mode="after")
    def _times(self) -> Calendar:
        if self.cutoff is not None:
            _hhmm(self.cutoff)
        if self.hours is not None:
            start, sep, end = self.hours.partition("-")
            if not sep or _hhmm(start) >= _hhmm(end):
                raise ValueError(f"hours must look like 08:00-20:00, got {self.hours!r}")
        return self

    # -- arithmetic ----------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _window(self) -> tuple[time, time]:
        if self.hours is None:
            return time(0), time(23, 59, 59, 999999)
        start, _, end = self.hours.partition("-")
        return _hhmm(start), _hhmm(end)

    def is_business_day(self, day: date) -> bool:
        return DAYS[day.weekday()] in self.business_days and day not in self.holidays

    def _open(self, day: date) -> datetime:
        return datetime.combine(day, self._window()[0], self.zone)

    def _close(self, day: date) -> datetime:
        if self.hours is None:
            return datetime.combine(day + timedelta(days=1), time(0), self.zone)
        return datetime.combine(day, self._window()[1], self.zone)

    def _next_business_day(self, day: date) -> date:
        for _ in range(370):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("the calendar has no business day within a year")

    def start_of_work(self, at: datetime) -> datetime:
        """When work on something arriving at ``at`` starts (cut-off and hours applied)."""
        local = at.astimezone(self.zone)
        day = local.date()
        late = self.cutoff is not None and local.time() >= _hhmm(self.cutoff)
        if not self.is_business_day(day) or late or local >= self._close(day):
            day = self._next_business_day(day)
            return self._open(day).astimezone(UTC)
        return max(local, self._open(day)).astimezone(UTC)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """``start`` plus ``duration`` of working time (business days, within hours)."""
        at = self.start_of_work(start).astimezone(self.zone)
        left = duration
        while True:
            close = self._close(at.date())
            available = close - at
            if left <= available:
                return (at + left).astimezone(UTC)
            left -= available
            at = self._open(self._next_business_day(at.date()))
