"""Fixed facts of the behaviour domain (tunable numbers live in config.py, not here)."""

from __future__ import annotations

PROFILE_VERSION = "behavior-profile-v1"
SCORING_VERSION = "session-anomaly-v1"
ATO_VERSION = "ato-v1"

# Action types (contracts, `action_type`) that change who controls the account or move money out.
SENSITIVE_ACTIONS: frozenset[str] = frozenset(
    {
        "change_email",
        "change_phone",
        "change_password",
        "add_payment_method",
        "remove_payment_method",
        "initiate_large_transaction",
        "update_security_settings",
        "change_mfa_settings",
    }
)

# Profile size limits: the baseline stays small (one row per user, O(1) to read and update).
MAX_KNOWN_DEVICES = 20
MAX_KNOWN_LOCATIONS = 30
# Spreads never fall below these when scoring, so a user with very regular sessions is not flagged
# for a session a few seconds longer than usual.
MIN_DURATION_SPREAD_SECONDS = 30.0
MIN_ACTIONS_SPREAD = 1.0
# Distinct action types that make "full" feature breadth (engagement).
FEATURE_BREADTH_FULL = 10

# ATO signals. "Access" signals say *who* is in the account looks unusual; "action" signals say *what*
# they do is dangerous. See docs/behavior.md for why both matter.
ACCESS_SIGNALS: frozenset[str] = frozenset(
    {
        "session_anomaly",
        "failed_logins",
        "new_device_and_location",
        "new_device",
        "impossible_travel",
        "step_up_failed",
        "recent_account_lock",
    }
)
ACTION_SIGNALS: frozenset[str] = frozenset(
    {"sensitive_actions", "rapid_sensitive_navigation", "security_settings_changed"}
)
DEFAULT_ATO_SIGNAL_WEIGHTS: dict[str, float] = {
    "session_anomaly": 0.30,
    "failed_logins": 0.15,
    "new_device_and_location": 0.20,
    "new_device": 0.10,
    "sensitive_actions": 0.20,
    "impossible_travel": 0.15,
    "rapid_sensitive_navigation": 0.10,
    "security_settings_changed": 0.20,
    "step_up_failed": 0.15,
    "recent_account_lock": 0.10,
}

# Contract enums (contracts/README.md): accepted by the on-demand endpoints.
ACTION_TYPES: tuple[str, ...] = (
    "page_view",
    "button_click",
    "form_submit",
    "circle_browse",
    "circle_join_request",
    "contribution_initiate",
    "remittance_initiate",
    "settings_change",
    "support_contact",
    "change_email",
    "change_phone",
    "change_password",
    "add_payment_method",
    "remove_payment_method",
    "initiate_large_transaction",
    "update_security_settings",
    "change_mfa_settings",
    "add_recipient",
    "view_statement",
)
DEVICE_TYPES: tuple[str, ...] = ("ios", "android", "web_desktop", "web_mobile")
