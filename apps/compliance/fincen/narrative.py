"""Machine draft of a SAR narrative from a case's facts (who, what, when, where, why, how).

Every amount comes from the case's transactions. The draft opens with a marker and stays flagged as
machine-drafted until an officer edits it; approval is refused until then.
"""

from __future__ import annotations

from apps.compliance.choices import RuleCode
from apps.compliance.constants import MACHINE_DRAFT_MARKER
from apps.compliance.selectors.cases import CaseFacts

MAX_LISTED_TRANSACTIONS = 40


def _money(value: object) -> str:
    return f"${float(str(value)):,.2f}"


def draft_narrative(facts: CaseFacts, *, institution: str, below_mandatory_amount: bool) -> str:
    lines = [MACHINE_DRAFT_MARKER, ""]
    period = (
        f"between {facts.activity_from.isoformat()} and {facts.activity_to.isoformat()}"
        if facts.activity_from and facts.activity_to
        else "in the period reviewed"
    )
    lines.append(
        f"{institution}, a money services business (money transmitter), reports activity by its customer "
        f"{facts.customer_id}. {period.capitalize()} the customer conducted {facts.transaction_count} "
        f"transaction(s) totalling {_money(facts.amount_total)}"
        + (
            f" (smallest {_money(facts.amount_min)}, largest {_money(facts.amount_max)})."
            if facts.amount_min is not None
            else "."
        )
    )
    if facts.currency_in_total > 0:
        lines.append(f"Of this, {_money(facts.currency_in_total)} was paid in as currency at Trebanx agent locations.")
    if facts.counterparties:
        lines.append(f"The transactions involved {facts.counterparties} distinct counterpart(ies).")
    if facts.countries:
        lines.append(f"Countries involved: {', '.join(facts.countries)}.")
    if below_mandatory_amount:
        lines.append("The amount involved is below the mandatory MSB reporting amount; this filing is voluntary.")
    lines += ["", "Why the activity is reported:"]
    for code in facts.rule_codes:
        lines.append(f"- {RuleCode(code).label}.")
    for summary in facts.alert_summaries[:20]:
        lines.append(f"  Detection: {summary}.")
    lines += ["", "Transactions:"]
    for row in facts.transactions[:MAX_LISTED_TRANSACTIONS]:
        method = "currency" if row["currency_in"] else row["funding"] or "n/a"
        counterparty = f" to/from {row['counterparty']}" if row["counterparty"] else ""
        lines.append(
            f"- {row['date']} {row['type']} {_money(row['amount'])} ({method}){counterparty}, ref {row['reference']}"
        )
    if len(facts.transactions) > MAX_LISTED_TRANSACTIONS:
        lines.append(f"- … and {len(facts.transactions) - MAX_LISTED_TRANSACTIONS} more (see the case file).")
    profile = []
    if facts.registered_at:
        profile.append(f"customer since {facts.registered_at.date().isoformat()}")
    if facts.risk_level:
        profile.append(f"risk rating {facts.risk_level}")
    if profile:
        lines += ["", f"Customer profile: {', '.join(profile)}."]
    lines += [
        "",
        "Investigation and explanations: [officer to complete: steps taken, documents reviewed, the customer's "
        "stated purpose if known, and why the activity has no apparent lawful purpose].",
    ]
    return "\n".join(lines)
