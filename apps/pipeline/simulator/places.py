"""Where simulated people live and send money: US diaspora neighbourhoods and Haitian cities.

Coordinates are city centres (WGS 84); sessions add a little jitter around them. Agent and payout
partner ids follow Trebanx's shapes (``agent_us_mia_003``, ``ht_partner_pap_044``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    city: str
    state: str | None
    country: str
    latitude: float
    longitude: float
    code: str  # short code used in agent ids: mia, nyc, pap...
    postal_codes: tuple[str, ...] = ()
    area_codes: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    weight: float = 1.0


US_HOMES: tuple[Place, ...] = (
    Place(
        "Miami",
        "FL",
        "US",
        25.7617,
        -80.1918,
        "mia",
        ("33137", "33138", "33150", "33127"),
        ("305", "786"),
        ("NE 2nd Ave", "NW 54th St", "NE 62nd St", "Biscayne Blvd"),
        2.0,
    ),
    Place(
        "North Miami",
        "FL",
        "US",
        25.8901,
        -80.1867,
        "nmi",
        ("33161", "33168", "33181"),
        ("305", "786"),
        ("NE 125th St", "W Dixie Hwy", "NE 6th Ave", "NW 7th Ave"),
        1.5,
    ),
    Place(
        "Brooklyn",
        "NY",
        "US",
        40.6782,
        -73.9442,
        "nyc",
        ("11226", "11203", "11210", "11236"),
        ("718", "347", "929"),
        ("Flatbush Ave", "Nostrand Ave", "Church Ave", "Rogers Ave"),
        2.0,
    ),
    Place(
        "Boston",
        "MA",
        "US",
        42.3601,
        -71.0589,
        "bos",
        ("02121", "02124", "02119"),
        ("617", "857"),
        ("Blue Hill Ave", "Washington St", "Columbia Rd"),
        0.8,
    ),
    Place(
        "Mattapan",
        "MA",
        "US",
        42.2726,
        -71.0870,
        "mat",
        ("02126",),
        ("617", "857"),
        ("Blue Hill Ave", "River St", "Cummins Hwy", "Morton St"),
        0.8,
    ),
    Place(
        "Newark",
        "NJ",
        "US",
        40.7357,
        -74.1724,
        "ewr",
        ("07106", "07108", "07112"),
        ("973", "862"),
        ("Springfield Ave", "Clinton Ave", "Chancellor Ave"),
        0.8,
    ),
    Place(
        "Irvington",
        "NJ",
        "US",
        40.7232,
        -74.2346,
        "irv",
        ("07111",),
        ("973", "862"),
        ("Springfield Ave", "Stuyvesant Ave", "Lyons Ave", "Chancellor Ave"),
        0.7,
    ),
    Place(
        "Orlando",
        "FL",
        "US",
        28.5384,
        -81.3789,
        "orl",
        ("32808", "32818", "32811"),
        ("407", "321"),
        ("Pine Hills Rd", "W Colonial Dr", "Silver Star Rd", "N Hiawassee Rd"),
        1.0,
    ),
)

HAITI_CITIES: tuple[Place, ...] = (
    Place("Port-au-Prince", None, "HT", 18.5944, -72.3074, "pap", weight=3.0),
    Place("Cap-Haïtien", None, "HT", 19.7578, -72.2040, "cap", weight=1.2),
    Place("Les Cayes", None, "HT", 18.1933, -73.7500, "cay", weight=1.0),
    Place("Jacmel", None, "HT", 18.2342, -72.5347, "jak", weight=0.8),
    Place("Gonaïves", None, "HT", 19.4500, -72.6833, "gon", weight=0.8),
)

US_HOME_WEIGHTS: tuple[float, ...] = tuple(place.weight for place in US_HOMES)
HAITI_WEIGHTS: tuple[float, ...] = tuple(place.weight for place in HAITI_CITIES)

# Haitian payout networks named in remittance confirmations (mobile wallet and bank deposits).
MOBILE_WALLET_PARTNERS: tuple[str, ...] = ("MonCash", "NatCash")
BANK_PARTNERS: tuple[str, ...] = ("Unibank", "Sogebank", "BNC", "Capital Bank")

# Public IPv4 first octets of large US consumer ISPs (home broadband); mobile devices use IPv6.
US_BROADBAND_OCTETS: tuple[int, ...] = (24, 50, 67, 68, 69, 71, 73, 74, 75, 76, 96, 98, 99, 107, 108, 174)


def agent_id(place: Place, number: int) -> str:
    """A Trebanx US cash agent location (``agent_us_mia_003``)."""
    return f"agent_us_{place.code}_{number:03d}"


def payout_agent_id(place: Place, number: int) -> str:
    """A Haitian payout partner location (``ht_partner_pap_044``)."""
    return f"ht_partner_{place.code}_{number:03d}"
