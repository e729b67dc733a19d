"""Every process reads the tz database of the `tzdata` package, whatever the host has."""

from __future__ import annotations

import importlib.resources
import zoneinfo
from datetime import datetime, timedelta

import app  # noqa: F401  (importing the package chooses the database)
from app.api.schemas.common import _zones


def test_the_zones_are_the_tzdata_packages_whatever_the_host_has():
    assert zoneinfo.TZPATH == ()
    packaged = set(importlib.resources.files("tzdata").joinpath("zones").read_text().split())
    assert set(_zones()) == packaged
    assert "localtime" not in _zones()  # a link in a Debian host's /usr/share/zoneinfo, no IANA zone
    summer = datetime(2026, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert summer.utcoffset() == timedelta(hours=2)
