"""Lake and dashboard endpoints: permissions, figures, pagination, jobs; admin pages render."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.pipeline.lake.choices import LakeJobStatus
from apps.pipeline.lake.gold.service import gold_refresh
from apps.pipeline.lake.models import LakeJob, PiiRevealAudit
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from lakay.pii import pii_token
from tests.compliance.admin.conftest import verified_client
from tests.events import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
DAY = AT.date().isoformat()


@pytest.fixture
def lake(lake_dir, put_bronze):
    events = [make_event("transaction-initiated", at=AT, user_id=f"user_{i % 3}", transaction_id=f"t{i}",
                         amount="10.00") for i in range(6)]  # fmt: skip
    events += [make_event("remittance-initiated", at=AT, remittance_id="r1", sender_id="user_0")]
    events += [make_event("compliance-alert-raised", at=AT, user_id="user_1", alert_type="structuring")]
    bad = make_event("transaction-initiated", at=AT, amount="-1")
    put_bronze([*events, bad])
    for key in silver_stale_partitions():
        silver_partition_process(key)
    for name in ("platform-health", "daily-transaction-summary", "compliance-reporting", "haiti-corridor-analytics",
                 "circle-lifecycle-summary"):  # fmt: skip
        gold_refresh(name, AT.date(), AT.date())


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/api/v1/pipeline/bronze/stats", "analyst", 200),
        ("/api/v1/pipeline/bronze/stats", "service", 403),
        ("/api/v1/pipeline/gold/compliance-reporting", "analyst", 403),
        ("/api/v1/pipeline/gold/compliance-reporting", "compliance_officer", 200),
        ("/api/v1/pipeline/gold/fraud_training", "analyst", 403),
        ("/api/v1/pipeline/gold/fraud_training", "ml_engineer", 200),
        ("/api/v1/dashboards/compliance", "analyst", 403),
        ("/api/v1/dashboards/compliance", "compliance_officer", 200),
        ("/api/v1/dashboards/platform", "operator", 200),
        ("/api/v1/dashboards/platform", "ml_engineer", 403),
    ],
)
def test_roles(lake, person_client, service_client, path, role, status):
    client = service_client if role == "service" else person_client(role)
    assert client.get(path).status_code == status


def test_bronze_silver_and_gold_statistics(lake, person_client):
    client = person_client("operator")

    bronze = client.get("/api/v1/pipeline/bronze/stats").json()
    assert bronze["total_events_ingested"] == 9
    assert bronze["events_by_type"] == {"compliance-alert-raised": 1, "remittance-initiated": 1,
                                        "transaction-initiated": 7}  # fmt: skip
    partitions = client.get("/api/v1/pipeline/bronze/partitions?event_type=transaction-initiated").json()
    assert [(p["event_type"], p["date"], p["row_count"]) for p in partitions["items"]] == [
        ("transaction-initiated", DAY, 7)
    ]
    silver = client.get("/api/v1/pipeline/silver/stats").json()
    assert (silver["events"], silver["rejected_events"], silver["partitions_pending"]) == (8, 1, 0)
    quality = client.get("/api/v1/pipeline/silver/quality?event_type=transaction-initiated").json()
    assert [(q["total"], q["passed"], q["rejected"], q["is_alert"]) for q in quality["items"]] == [(7, 6, 1, True)]
    rejected = client.get("/api/v1/pipeline/silver/rejected?event_type=transaction-initiated&limit=5").json()
    assert rejected["items"][0]["reasons"][0]["path"] == "payload/amount"
    datasets = {d["name"]: d for d in client.get("/api/v1/pipeline/gold/datasets").json()["items"]}
    assert "compliance-reporting" not in datasets  # restricted to compliance roles
    assert datasets["daily-transaction-summary"]["rows"] == 3
    assert datasets["user-risk-dashboard"]["last_refreshed_at"] is None


def test_gold_query_with_range_limit_and_offset(lake, person_client):
    client = person_client("analyst")

    page = client.get(f"/api/v1/pipeline/gold/daily-transaction-summary?start_date={DAY}&end_date={DAY}&limit=2").json()
    rest = client.get(f"/api/v1/pipeline/gold/daily-transaction-summary?start_date={DAY}&limit=2&offset=2").json()

    assert (page["total"], len(page["items"]), len(rest["items"])) == (3, 2, 1)
    users = {row["user_id"] for row in page["items"] + rest["items"]}
    assert users == {pii_token("user_id", f"user_{i}") for i in range(3)}
    assert {row["total_amount"] for row in page["items"] + rest["items"]} == {"20.00"}
    assert client.get("/api/v1/pipeline/gold/nope").status_code == 404
    assert client.get("/api/v1/pipeline/gold/platform-health?limit=5000").status_code == 400


def test_refresh_runs_a_job_whose_progress_is_visible(lake, person_client):
    client = person_client("operator")

    response = client.post("/api/v1/pipeline/gold/user-risk-dashboard/refresh",
                           {"start_date": DAY, "end_date": DAY}, format="json")  # fmt: skip

    assert response.status_code == 202
    job = LakeJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.percent) == (LakeJobStatus.SUCCEEDED, 100), job.result  # eager Celery in tests
    detail = client.get(f"/api/v1/pipeline/lake/jobs/{job.pk}").json()
    assert detail["result"]["gold"][0]["rows"] == 3
    assert person_client("analyst").post("/api/v1/pipeline/gold/user-risk-dashboard/refresh").status_code == 403


def test_dashboards(lake, person_client):
    platform = person_client("analyst").get(f"/api/v1/dashboards/platform?start_date={DAY}&end_date={DAY}").json()
    assert platform["transactions"] == {"count": 6, "volume": "60.00"}
    assert platform["remittances"]["count"] == 1
    assert platform["alerts"]["compliance"] == 1
    compliance = (
        person_client("compliance_officer").get(f"/api/v1/dashboards/compliance?start_date={DAY}&end_date={DAY}").json()
    )
    assert compliance["alerts"]["by_type"] == {"structuring": 1}
    corridor = person_client("analyst").get(f"/api/v1/dashboards/corridor?start_date={DAY}&end_date={DAY}").json()
    assert corridor["corridors"][0]["corridor"] == "US->HT"
    bad = person_client("analyst").get("/api/v1/dashboards/fraud?start_date=2026-03-05&end_date=2026-03-01")
    assert bad.status_code == 400


def test_pii_reveal_endpoint_is_audited(lake, person_client):
    token = pii_token("user_id", "user_0")
    assert person_client("analyst").post("/api/v1/pipeline/pii/reveal", {"token": token, "reason": "x"},
                                         format="json").status_code == 403  # fmt: skip
    officer = person_client("compliance_officer")
    response = officer.post("/api/v1/pipeline/pii/reveal", {"token": token, "reason": "case 12"}, format="json")
    assert response.json() == {"token": token, "value": "user_0"}
    assert PiiRevealAudit.objects.get().reason == "case 12"


def test_admin_pages_render_charts_and_progress(lake, person_client):
    operator = person_client("operator")
    overview = operator.get("/admin/pipeline/lakepartition/overview/")
    assert overview.status_code == 200
    assert b"lake-gold" in overview.content
    assert b"<svg" in overview.content
    started = operator.post("/admin/pipeline/lakepartition/overview/", {"action": "silver"})
    assert started.status_code == 302
    assert LakeJob.objects.filter(kind="silver", status=LakeJobStatus.SUCCEEDED).count() == 1
    page = operator.get(f"/admin/pipeline/dashboard/?name=platform&start_date={DAY}&end_date={DAY}")
    assert page.status_code == 200
    assert page.content.count(b"<svg") >= 3
    assert operator.get("/admin/pipeline/dashboard/?name=compliance").status_code == 403
    officer = verified_client(UserFactory(roles=["compliance_officer"]))
    assert officer.get("/admin/pipeline/dashboard/?name=compliance").status_code == 200
    assert operator.get("/admin/pipeline/lakejob/").status_code == 200
