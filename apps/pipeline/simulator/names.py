"""Haitian given names and family names, and the names people give their sou-sou circles."""

from __future__ import annotations

import random
import unicodedata

FIRST_NAMES: tuple[str, ...] = (
    "Jean",
    "Marie",
    "Pierre",
    "Jacques",
    "Rose",
    "Guerline",
    "Wideline",
    "Jean-Robert",
    "Mackenson",
    "Fabiola",
    "Nadège",
    "Ricardo",
    "Stéphanie",
    "Widlyne",
    "Daphnée",
    "Kervens",
    "Peterson",
    "Dieunel",
    "Lovely",
    "Bertrand",
    "Roselaure",
    "Mirlande",
    "Fritzner",
    "Esther",
    "Woodly",
    "Yvrose",
    "Sherly",
    "Emmanuel",
    "Darline",
    "Jameson",
    "Ketly",
    "Marie-Claude",
    "Jean-Claude",
    "Nathalie",
    "Frantz",
    "Guerda",
    "Jocelyne",
    "Wilner",
    "Rodney",
    "Myrlande",
    "Évens",
    "Judeline",
    "Steevenson",
    "Farah",
    "Clervil",
    "Mireille",
    "Réginald",
    "Tania",
    "Kettely",
    "Ronald",
    "Marjorie",
    "Djeff",
    "Nadia",
    "Gaëlle",
    "Vladimir",
    "Islande",
    "Jean-Baptiste",
    "Sandra",
    "Wisly",
    "Fednel",
)

LAST_NAMES: tuple[str, ...] = (
    "Pierre",
    "Jean-Baptiste",
    "Joseph",
    "Louis",
    "Charles",
    "Jean-Louis",
    "Desir",
    "Etienne",
    "Dorsainvil",
    "Toussaint",
    "Augustin",
    "Célestin",
    "Exantus",
    "Fils-Aimé",
    "Saint-Fleur",
    "Paul",
    "Alexis",
    "Théodore",
    "Michel",
    "Noël",
    "Bien-Aimé",
    "Casimir",
    "Destin",
    "Jean-Pierre",
    "Delva",
    "Lafortune",
    "Valcin",
    "Moïse",
    "Laguerre",
    "Altidor",
    "Jean-Charles",
    "Baptiste",
    "Dorval",
    "François",
    "Guerrier",
    "Hyppolite",
    "Jeune",
    "Lamour",
    "Métellus",
    "Narcisse",
    "Orélien",
    "Philippe",
    "Romain",
    "Sénat",
    "Thermidor",
    "Vilsaint",
    "Zéphir",
    "Cadet",
    "Edouard",
    "Mompremier",
)

CIRCLE_NAME_PATTERNS: tuple[str, ...] = (
    "Fanmi {family} Sou-Sou",
    "Sòl {family}",
    "Men Ansanm {city}",
    "Tèt Ansanm {city}",
    "Kòb Lakay {city}",
    "Sòl {family} ak Zanmi",
    "Zanmi {city} Sou-Sou",
    "Sòl Legliz {city}",
)

EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")


def ascii_slug(text: str) -> str:
    """``Nadège Fils-Aimé`` → ``nadege.fils-aime`` (for email local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(part.lower() for part in plain.split() if part)


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def circle_name(rng: random.Random, *, family: str, city: str) -> str:
    return rng.choice(CIRCLE_NAME_PATTERNS).format(family=family, city=city)
