"""API routes of this app (mounted under /api/v1/ by lakay/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from apps.compliance.api import alerts, cases, ctr, filings, reports, risk, sar

urlpatterns: list[URLPattern | URLResolver] = [
    path("compliance/ctr/daily/<str:user_id>", ctr.CtrDailyView.as_view(), name="compliance-ctr-daily"),
    path("compliance/ctr/pending", ctr.CtrPendingView.as_view(), name="compliance-ctr-pending"),
    path("compliance/ctr/filings", ctr.CtrFilingsView.as_view(), name="compliance-ctr-filings"),
    path("compliance/alerts", alerts.AlertListView.as_view(), name="compliance-alert-list"),
    path("compliance/alerts/<int:alert_id>", alerts.AlertDetailView.as_view(), name="compliance-alert-detail"),
    path(
        "compliance/alerts/<int:alert_id>/dismiss", alerts.AlertDismissView.as_view(), name="compliance-alert-dismiss"
    ),
    path("compliance/cases", cases.CaseListView.as_view(), name="compliance-case-list"),
    path("compliance/cases/<int:case_id>", cases.CaseDetailView.as_view(), name="compliance-case-detail"),
    path("compliance/cases/<int:case_id>/<slug:action>", cases.CaseActionView.as_view(), name="compliance-case-action"),
    path("compliance/sar/draft/<int:case_id>", sar.SarDraftCreateView.as_view(), name="compliance-sar-draft"),
    path("compliance/sar/drafts", sar.SarDraftListView.as_view(), name="compliance-sar-drafts"),
    path("compliance/sar/drafts/<int:draft_id>", sar.SarDraftDetailView.as_view(), name="compliance-sar-draft-detail"),
    # "high" before "<user_id>": the earlier build's route order made this list unreachable.
    path("compliance/risk/high", risk.HighRiskView.as_view(), name="compliance-risk-high"),
    path("compliance/risk/<str:user_id>", risk.RiskProfileView.as_view(), name="compliance-risk-profile"),
    path("compliance/risk/<str:user_id>/history", risk.RiskHistoryView.as_view(), name="compliance-risk-history"),
    path("compliance/risk/<str:user_id>/review", risk.RiskReviewView.as_view(), name="compliance-risk-review"),
    path("compliance/edd-reviews", risk.EddReviewListView.as_view(), name="compliance-edd-reviews"),
    path(
        "compliance/edd-reviews/<int:review_id>/complete",
        risk.EddReviewCompleteView.as_view(),
        name="compliance-edd-complete",
    ),
    path("compliance/filings", filings.FilingListView.as_view(), name="compliance-filing-list"),
    path("compliance/filings/export", filings.FilingExportView.as_view(), name="compliance-filing-export"),
    path(
        "compliance/filings/<int:filing_id>/acknowledge",
        filings.FilingAcknowledgeView.as_view(),
        name="compliance-filing-acknowledge",
    ),
    path(
        "compliance/filing-batches/<int:batch_id>/xml",
        filings.FilingBatchXmlView.as_view(),
        name="compliance-batch-xml",
    ),
    path(
        "compliance/filing-batches/<int:batch_id>/submitted",
        filings.FilingBatchSubmittedView.as_view(),
        name="compliance-batch-submitted",
    ),
    path("pipeline/compliance-reports", reports.ReportListView.as_view(), name="compliance-report-list"),
    path("pipeline/compliance-reports/ctr", reports.CtrReportView.as_view(), name="compliance-report-ctr"),
    path("pipeline/compliance-reports/sar", reports.SarReportView.as_view(), name="compliance-report-sar"),
    path("pipeline/compliance-reports/summary", reports.SummaryReportView.as_view(), name="compliance-report-summary"),
    path("pipeline/compliance-reports/audit", reports.AuditReportView.as_view(), name="compliance-report-audit"),
    path(
        "pipeline/compliance-reports/<str:report_id>",
        reports.ReportDetailView.as_view(),
        name="compliance-report-detail",
    ),
]
