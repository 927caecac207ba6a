"""Reading a time zone from what a person types: "Europe/Berlin", "EST", "UTC-5", "new york".

The coach asks for the user's zone once, before the first date-time question, when the platform
does not say it; the answer is kept as an IANA name. Abbreviations, offsets, cities that do not
name their zone and common names ("pacific", "central european time") are known here; any other
IANA city part ("lisbon") is found in the zone database.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ("parse_time_zone", "resolve_zone")


_ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago", "CT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "MT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
    "AKST": "America/Anchorage", "HST": "Pacific/Honolulu",
    "GMT": "Europe/London", "BST": "Europe/London", "WET": "Europe/Lisbon",
    "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "EET": "Europe/Athens",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "SGT": "Asia/Singapore",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland",
    "UTC": "UTC", "Z": "UTC",
}  # fmt: skip
# Places whose zone is not named after them, and names people use for zones.
_PLACES = {
    "new york city": "America/New_York", "nyc": "America/New_York", "boston": "America/New_York",
    "washington": "America/New_York", "dc": "America/New_York", "miami": "America/New_York",
    "atlanta": "America/New_York", "philadelphia": "America/New_York",
    "eastern": "America/New_York", "us eastern": "America/New_York",
    "austin": "America/Chicago", "dallas": "America/Chicago", "houston": "America/Chicago",
    "central": "America/Chicago", "mountain": "America/Denver", "salt lake city": "America/Denver",
    "san francisco": "America/Los_Angeles", "sf": "America/Los_Angeles",
    "bay area": "America/Los_Angeles", "silicon valley": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "la": "America/Los_Angeles", "pacific": "America/Los_Angeles",
    "montreal": "America/Toronto", "ottawa": "America/Toronto",
    "munich": "Europe/Berlin", "frankfurt": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin", "germany": "Europe/Berlin", "central european": "Europe/Berlin",
    "manchester": "Europe/London", "edinburgh": "Europe/London", "uk": "Europe/London",
    "england": "Europe/London", "britain": "Europe/London", "greenwich mean": "Europe/London",
    "british summer": "Europe/London", "france": "Europe/Paris", "barcelona": "Europe/Madrid",
    "spain": "Europe/Madrid", "milan": "Europe/Rome", "italy": "Europe/Rome",
    "netherlands": "Europe/Amsterdam", "ireland": "Europe/Dublin", "geneva": "Europe/Zurich",
    "tel aviv": "Asia/Jerusalem", "israel": "Asia/Jerusalem", "dubai": "Asia/Dubai",
    "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "hyderabad": "Asia/Kolkata",
    "chennai": "Asia/Kolkata", "pune": "Asia/Kolkata", "india": "Asia/Kolkata",
    "beijing": "Asia/Shanghai", "shenzhen": "Asia/Shanghai", "china": "Asia/Shanghai",
    "osaka": "Asia/Tokyo", "japan": "Asia/Tokyo", "korea": "Asia/Seoul",
    "canberra": "Australia/Sydney", "cape town": "Africa/Johannesburg",
    "new jersey": "America/New_York", "nj": "America/New_York", "east coast": "America/New_York",
    "west coast": "America/Los_Angeles", "us central": "America/Chicago",
    "us pacific": "America/Los_Angeles", "muenchen": "Europe/Berlin", "munchen": "Europe/Berlin",
    "british": "Europe/London", "indian": "Asia/Kolkata", "india standard": "Asia/Kolkata",
    "philippines": "Asia/Manila", "nigeria": "Africa/Lagos", "pakistan": "Asia/Karachi",
    "switzerland": "Europe/Zurich", "vietnam": "Asia/Ho_Chi_Minh", "uae": "Asia/Dubai",
    "greece": "Europe/Athens", "poland": "Europe/Warsaw", "krakow": "Europe/Warsaw",
    "sweden": "Europe/Stockholm",
    "norway": "Europe/Oslo", "denmark": "Europe/Copenhagen", "finland": "Europe/Helsinki",
    "austria": "Europe/Vienna", "belgium": "Europe/Brussels", "portugal": "Europe/Lisbon",
    "singapore": "Asia/Singapore", "kenya": "Africa/Nairobi", "egypt": "Africa/Cairo",
}  # fmt: skip
# Legacy zone names end in a compass point ("Australia/West", "Brazil/East"): "west" typed by
# someone on the US west coast was Perth, 16 hours off. A compass point alone names no zone.
_NOT_PLACES = frozenset({"west", "east", "north", "south", "jersey"})
# Zones with a half- or quarter-hour offset have no Etc/ zone: name the best-known place.
_ODD_OFFSETS = {
    (3, 30): "Asia/Tehran", (4, 30): "Asia/Kabul", (5, 30): "Asia/Kolkata",
    (5, 45): "Asia/Kathmandu", (6, 30): "Asia/Yangon", (9, 30): "Australia/Darwin",
    (10, 30): "Australia/Lord_Howe", (-3, 30): "America/St_Johns", (-9, 30): "Pacific/Marquesas",
}  # fmt: skip
_OFFSET = re.compile(r"(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?")
_ZONE_SUFFIX = re.compile(
    r"\s+(?:standard\s+|daylight\s+|summer\s+)?time(?:\s*zone)?$|\s+timezone$"
)
# IANA areas of real places: preferred over legacy links ("US/Eastern", "Singapore").
_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
     "Pacific"}
)  # fmt: skip


def parse_time_zone(text: str) -> str | None:
    """Free text ("Europe/Berlin", "EST", "UTC-5", "new york", "lisbon") -> an IANA name."""
    key = " ".join(_plain(text).lower().replace("_", " ").split()).removeprefix("in ")
    key = _ZONE_SUFFIX.sub("", key)
    if not key or key in _NOT_PLACES:
        return None
    offset = _OFFSET.fullmatch(key)
    if offset is not None:
        return _offset_zone(offset)
    found = _ABBREVIATIONS.get(key.upper()) or _PLACES.get(key)
    if found is None:
        names, cities = _zone_index()
        # "singapore" is the city (Asia/Singapore) before the legacy zone "Singapore".
        found = names.get(key) if "/" in key else cities.get(key) or names.get(key)
    if found is None and "," in key:  # "Berlin, Germany"
        return parse_time_zone(key.split(",", 1)[0])
    return found


def _plain(text: str) -> str:
    """Without accents ("São Paulo" -> "Sao Paulo", as the zone names are written) and with a
    typographic minus (U+2212) or an en dash as "-"."""
    text = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _offset_zone(match: re.Match[str]) -> str | None:
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    sign = -1 if match["sign"] == "-" else 1
    if minutes:
        return _ODD_OFFSETS.get((sign * hours, minutes))
    if hours == 0:
        return "UTC"
    if hours > (14 if sign > 0 else 12):
        return None
    # POSIX-style Etc zones invert the sign: UTC+2 is "Etc/GMT-2".
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def zone_country(zone: str | None) -> str | None:
    """The country (ISO 3166 code, as phone numbers use) a time zone is in: "Europe/London" ->
    "GB"; None for zones of no one country ("UTC", "Etc/GMT+5") or an unknown name."""
    return _zone_countries().get(zone) if zone else None


@cache
def _zone_countries() -> dict[str, str]:
    """From the time zone database's zone.tab (the system's, else the tzdata package's)."""
    for folder in (*TZPATH, _tzdata_folder()):
        table = Path(folder) / "zone.tab" if folder else None
        if table is not None and table.is_file():
            rows = (line.split("\t") for line in table.read_text("utf-8").splitlines())
            return {row[2]: row[0] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return {}


def _tzdata_folder() -> str | None:
    """The ``tzdata`` package's copy (where there is no system database), found unimported."""
    spec = importlib.util.find_spec("tzdata")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(next(iter(spec.submodule_search_locations))) / "zoneinfo")


@cache
def _zone_index() -> tuple[dict[str, str], dict[str, str]]:
    """Lower-case IANA names, and city parts ("lisbon", "new york"), built once on first use."""
    names: dict[str, str] = {}
    cities: dict[str, str] = {}
    legacy: dict[str, str] = {}
    for name in sorted(available_timezones()):
        names[name.lower().replace("_", " ")] = name
        city = name.rsplit("/", 1)[-1].lower().replace("_", " ")
        target = cities if name.split("/", 1)[0] in _AREAS else legacy
        target.setdefault(city, name)
    return names, legacy | cities


@lru_cache(maxsize=256)
def resolve_zone(name: str | None) -> tuple[str, ZoneInfo]:
    """An IANA name and its zone; a name that is not IANA is read as free text, else UTC."""
    if name:
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            found = parse_time_zone(name)
            if found is not None:
                return found, ZoneInfo(found)
    return "UTC", ZoneInfo("UTC")
