"""Read-only records: the audit chain, money movements, day totals, FATF lists, reports."""

from __future__ import annotations

from django.contrib import admin

from apps.compliance.admin.base import ComplianceOnlyAdmin
from apps.compliance.models import AuditEntry, ComplianceReport, CurrencyDayTotal, JurisdictionRisk, MoneyMovement


@admin.register(AuditEntry)
class AuditEntryAdmin(ComplianceOnlyAdmin):
    list_display = ("sequence", "occurred_at", "actor_label", "action", "case", "customer_id", "summary")
    list_filter = ("action",)
    search_fields = ("customer_id", "actor_label", "object_id")
    ordering = ("-sequence",)


@admin.register(MoneyMovement)
class MoneyMovementAdmin(ComplianceOnlyAdmin):
    list_display = (
        "reference",
        "customer_id",
        "movement_type",
        "flow",
        "amount",
        "funding_method",
        "is_cash_in",
        "is_cash_out",
        "business_date",
        "status",
    )
    list_filter = ("movement_type", "is_cash_in", "is_cash_out", "status")
    search_fields = ("customer_id", "transaction_id", "remittance_id", "contribution_id", "payout_id")
    ordering = ("-occurred_at",)


@admin.register(CurrencyDayTotal)
class CurrencyDayTotalAdmin(ComplianceOnlyAdmin):
    list_display = (
        "customer_id",
        "business_date",
        "direction",
        "total_amount",
        "transaction_count",
        "warned_level",
        "ctr_raised_at",
    )
    list_filter = ("direction",)
    search_fields = ("customer_id",)
    ordering = ("-business_date",)


@admin.register(JurisdictionRisk)
class JurisdictionRiskAdmin(ComplianceOnlyAdmin):
    list_display = ("country_code", "list_kind", "effective_from", "effective_to", "source")
    list_filter = ("list_kind",)
    search_fields = ("country_code",)


@admin.register(ComplianceReport)
class ComplianceReportAdmin(ComplianceOnlyAdmin):
    list_display = ("report_id", "report_type", "generated_by", "created_at")
    list_filter = ("report_type",)
    ordering = ("-created_at",)
