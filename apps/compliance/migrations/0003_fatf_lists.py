"""FATF public statements as dated data (black list and grey list), as last seen after the June 2026 plenary.

Source: ../shared/reference/regulatory.md §B. A plenary update is a new data migration reviewed by the
BSA officer: close rows with ``effective_to`` and add new ones; never edit history. Where the listing
date was not recorded, ``effective_from`` is the earliest publication the list was confirmed in.
"""

from django.db import migrations

CFA_COUNTERMEASURES = "call_for_action_countermeasures"
CFA_EDD = "call_for_action_edd"
GREY = "increased_monitoring"
FEB_2026 = "FATF increased monitoring, 13 Feb 2026 (earlier listing date not recorded)"

ROWS = [
    # country, list, from, to, source
    ("KP", CFA_COUNTERMEASURES, "2011-02-25", None, "FATF call for action (countermeasures)"),
    ("IR", CFA_COUNTERMEASURES, "2020-02-21", None, "FATF call for action (countermeasures)"),
    ("MM", CFA_EDD, "2022-10-21", None, "FATF call for action (enhanced due diligence)"),
    ("HT", GREY, "2021-06-25", None, "FATF increased monitoring, June 2021 plenary"),
    ("BO", GREY, "2025-06-13", None, "FATF increased monitoring, June 2025 plenary"),
    ("VG", GREY, "2025-06-13", None, "FATF increased monitoring, June 2025 plenary"),
    ("KW", GREY, "2026-02-13", None, "FATF increased monitoring, February 2026 plenary"),
    ("PG", GREY, "2026-02-13", None, "FATF increased monitoring, February 2026 plenary"),
    ("BA", GREY, "2026-06-19", None, "FATF increased monitoring, June 2026 plenary"),
    ("IQ", GREY, "2026-06-19", None, "FATF increased monitoring, June 2026 plenary"),
    *[
        (code, GREY, "2026-02-13", None, FEB_2026)
        for code in ("AO", "BG", "CM", "CI", "CD", "KE", "LA", "LB", "MC", "NP", "SS", "SY", "VE", "VN", "YE")
    ],
    ("DZ", GREY, "2026-02-13", "2026-06-19", FEB_2026 + "; removed June 2026"),
    ("NA", GREY, "2026-02-13", "2026-06-19", FEB_2026 + "; removed June 2026"),
    ("BF", GREY, "2021-02-25", "2025-10-24", "FATF increased monitoring; removed October 2025"),
    ("MZ", GREY, "2022-10-21", "2025-10-24", "FATF increased monitoring; removed October 2025"),
    ("NG", GREY, "2023-02-24", "2025-10-24", "FATF increased monitoring; removed October 2025"),
    ("ZA", GREY, "2023-02-24", "2025-10-24", "FATF increased monitoring; removed October 2025"),
    ("HR", GREY, "2023-06-23", "2025-06-13", "FATF increased monitoring; removed June 2025"),
    ("ML", GREY, "2021-10-21", "2025-06-13", "FATF increased monitoring; removed June 2025"),
    ("TZ", GREY, "2022-10-21", "2025-06-13", "FATF increased monitoring; removed June 2025"),
]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("compliance", "JurisdictionRisk")
    for country, kind, start, end, source in ROWS:
        model.objects.get_or_create(
            country_code=country,
            list_kind=kind,
            effective_from=start,
            defaults={"effective_to": end, "source": source},
        )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("compliance", "JurisdictionRisk").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_audit_append_only")]

    operations = [migrations.RunPython(load, unload)]
