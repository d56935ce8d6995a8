"""Read-only views of what the services wrote: scores (with their trace), transactions, labels."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from apps.fraud.admin.base import FraudReadOnlyAdmin
from apps.fraud.models import FraudLabel, FraudScore, FraudTransaction


@admin.register(FraudScore)
class FraudScoreAdmin(FraudReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "transaction_id",
        "user_id",
        "risk_tier",
        "score",
        "rule_score",
        "ml_score",
        "model_version",
        "occurred_at",
    )
    list_filter = ("risk_tier", "recommendation", "model_version")
    search_fields = ("=transaction__transaction_id", "=user_id")
    ordering = ("-id",)
    show_full_result_count = False
    exclude = ("trace", "features", "triggered_rules", "ml_contributions")
    readonly_fields = ("trace_pretty", "features_pretty", "triggered_rules_pretty")

    @admin.display(description="decision trace")
    def trace_pretty(self, score: FraudScore) -> str:
        return format_html("<pre>{}</pre>", json.dumps(score.trace, indent=2, sort_keys=True))

    @admin.display(description="features")
    def features_pretty(self, score: FraudScore) -> str:
        return format_html("<pre>{}</pre>", json.dumps(score.features, indent=2))

    @admin.display(description="triggered rules")
    def triggered_rules_pretty(self, score: FraudScore) -> str:
        return format_html("<pre>{}</pre>", json.dumps(score.triggered_rules, indent=2))


@admin.register(FraudTransaction)
class FraudTransactionAdmin(FraudReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("transaction_id", "user_id", "transaction_type", "amount", "currency", "country", "occurred_at")
    list_filter = ("transaction_type", "currency")
    search_fields = ("=transaction_id", "=user_id")
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(FraudLabel)
class FraudLabelAdmin(FraudReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("transaction_id", "user_id", "label", "source", "alert", "labelled_by", "labelled_at")
    list_filter = ("label", "source")
    search_fields = ("=transaction_id", "=user_id")
    ordering = ("-id",)
