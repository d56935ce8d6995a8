"""Promotion (validated, guarded, forced with a reason), rollback, the alias history, the commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.serving.models import ModelAliasChange, ModelVersion
from apps.serving.registry import mlflow_store
from apps.serving.registry.services import model_promote, model_rollback, registry_sync
from apps.serving.runtime.process import runtime
from apps.serving.scoring import model_score
from lakay.exceptions import ApplicationError, ConflictError
from tests.serving.factories import VariantMetricsFactory

pytestmark = pytest.mark.django_db

ROW = {"amount": 2500.0, "velocity_count_1h": 6, "is_new_device": 1, "distance_km": 12.0}


def test_promotion_records_who_when_why_and_the_checks(register_version):
    version = register_version()

    change = model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first model")

    assert mlflow_store.aliases(version.model_name) == {"champion": version.version}
    assert (change.previous_version, change.new_version, change.actor, change.reason, change.is_forced) == (
        None,
        version.version,
        "ml@tests",
        "first model",
        False,
    )
    names = {check["name"] for check in change.checks["checks"]}
    assert {"loads", "feature_list", "drift_reference", "scores_in_range", "latency_p95", "auc_pr_minimum"} <= names


def test_a_version_below_the_minimum_auc_pr_is_refused_and_nothing_changes(register_version):
    version = register_version(auc_pr=0.05)

    with pytest.raises(ApplicationError) as refused:
        model_promote(version=version.version, alias="champion", actor="ml@tests", reason="try")

    assert refused.value.code == "promotion_refused"
    failed = [c["name"] for c in refused.value.details["checks"] if not c["passed"]]
    assert failed == ["auc_pr_minimum"]
    assert mlflow_store.aliases(version.model_name) == {}
    assert ModelAliasChange.objects.count() == 0


def test_force_promotes_past_failed_checks_and_says_so(register_version):
    version = register_version(auc_pr=0.05)

    change = model_promote(
        version=version.version, alias="champion", actor="ml@tests", reason="incident: rules alone miss", force=True
    )

    assert change.is_forced is True
    assert change.checks["passed"] is False
    assert mlflow_store.aliases(version.model_name) == {"champion": version.version}


def test_a_reason_is_mandatory(register_version):
    version = register_version()

    with pytest.raises(ApplicationError) as refused:
        model_promote(version=version.version, alias="champion", actor="ml@tests", reason="  ", force=True)

    assert refused.value.code == "reason_required"
    assert ModelAliasChange.objects.count() == 0


def test_a_much_worse_challenger_cannot_replace_the_champion(register_version):
    champion, candidate = register_version(auc_pr=0.6, seed=1), register_version(auc_pr=0.5, seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")

    with pytest.raises(ApplicationError) as refused:
        model_promote(version=candidate.version, alias="champion", actor="ml@tests", reason="newer")

    assert [c["name"] for c in refused.value.details["checks"] if not c["passed"]] == ["auc_pr_vs_champion"]


def test_a_challenger_breaching_its_live_guardrails_is_not_promoted(register_version):
    champion, challenger = register_version(seed=1), register_version(seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="A/B")
    name = champion.model_name
    VariantMetricsFactory(
        model_name=name, model_version=champion.version, variant="champion", count=1000, flagged_count=10
    )
    VariantMetricsFactory(
        model_name=name, model_version=challenger.version, variant="challenger", count=1000, flagged_count=50
    )

    with pytest.raises(ApplicationError) as refused:
        model_promote(version=challenger.version, alias="champion", actor="ml@tests", reason="looks good")

    failed = {c["name"]: c for c in refused.value.details["checks"] if not c["passed"]}
    assert list(failed) == ["live_alert_volume_multiplier"]
    assert failed["live_alert_volume_multiplier"]["detail"] == "alert_volume_multiplier 5.0 (limit 2.0)"


def test_promoting_the_challenger_to_champion_clears_the_challenger(register_version):
    champion, challenger = register_version(seed=1), register_version(seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="A/B")

    model_promote(version=challenger.version, alias="champion", actor="ml@tests", reason="won the A/B")

    assert mlflow_store.aliases(champion.model_name) == {"champion": challenger.version}
    cleared = ModelAliasChange.objects.get(alias="challenger", action="clear")
    assert (cleared.previous_version, cleared.new_version) == (challenger.version, None)


def test_rollback_restores_the_previous_champion_and_serving_follows(register_version):
    first, second = register_version(seed=1), register_version(seed=2)
    model_promote(version=first.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=second.version, alias="champion", actor="ml@tests", reason="retrained", force=True)
    assert model_score(user_id="u-1", features=ROW).model_version == str(second.version)

    change = model_rollback(actor="oncall@tests", reason="alert volume doubled")
    runtime().loader.refresh()

    assert (change.action, change.previous_version, change.new_version) == ("rollback", second.version, first.version)
    assert mlflow_store.aliases(first.model_name) == {"champion": first.version}
    assert model_score(user_id="u-1", features=ROW).model_version == str(first.version)


def test_a_champion_without_history_cannot_be_rolled_back(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")

    with pytest.raises(ConflictError) as refused:
        model_rollback(actor="oncall@tests", reason="why not")

    assert refused.value.code == "nothing_to_roll_back"
    assert ModelAliasChange.objects.count() == 1


def test_rolling_back_a_first_challenger_stops_the_ab_test(register_version):
    champion, challenger = register_version(seed=1), register_version(seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="A/B")

    change = model_rollback(alias="challenger", actor="ml@tests", reason="worse precision")

    assert (change.action, change.new_version) == ("clear", None)
    assert mlflow_store.aliases(champion.model_name) == {"champion": champion.version}


def test_versions_registered_in_mlflow_directly_are_mirrored(register_version):
    version = register_version()
    ModelVersion.objects.filter(pk=version.pk).delete()

    created = registry_sync()

    assert [(v.version, v.data_hash, v.operating_threshold) for v in created] == [
        (version.version, version.data_hash, 0.5)
    ]
    assert created[0].feature_names == version.feature_names
    assert created[0].reference["score"]["edges"] == version.reference["score"]["edges"]


def test_the_commands_promote_show_and_roll_back(register_version):
    first, second = register_version(seed=1), register_version(seed=2)
    out = StringIO()

    call_command(
        "promote_model", str(first.version), "--to", "champion", "--reason", "first", "--actor", "ml", stdout=out
    )
    call_command(
        "promote_model", str(second.version), "--to", "challenger", "--reason", "A/B", "--actor", "ml", stdout=out
    )
    call_command("model_status", stdout=out)
    call_command("rollback_model", "--alias", "challenger", "--reason", "stop", "--actor", "ml", stdout=out)

    text = out.getvalue()
    assert f"{first.model_name}@champion: v- → v{first.version}" in text
    assert f"@challenger: v- → v{second.version}" in text
    assert f"v{first.version}    @champion" in text
    assert f"@challenger: v{second.version} → (removed)" in text


def test_the_promote_command_shows_failed_checks_and_refuses(register_version):
    version = register_version(auc_pr=0.01)
    err = StringIO()

    with pytest.raises(CommandError, match="promotion_refused"):
        call_command("promote_model", str(version.version), "--to", "champion", "--reason", "x", stderr=err)

    assert "[FAIL] validation auc_pr_minimum" in err.getvalue()
