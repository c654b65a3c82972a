"""The goodwill flow of the expiry guide: the counterfactual bill and what is weighed.

The credit per disputed month and the suggested total come from
:func:`app.domain.goodwill.evaluate`; this module gathers its input (the
package fee of the bundle or as entered, the months entered, the minimum
spend), words the figures for the decision box, adds the factors the source
weighed (tenure, spend, VIP or group, complaint history, the consumer-rights
day of the goodwill rule file), and shapes the letter's records ``bundle``,
``goodwill`` and ``months`` as the ``goodwill_credit`` template's
placeholders. Amounts recorded on the case fill the inputs (``case_*`` facts).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app.domain import goodwill
from app.domain.calendar import month_start
from app.domain.playbook_schema import Playbook
from app.i18n import _, format_money, format_month
from app.processes.base import Facts, GuideContext
from app.processes.common import Worded, long_date, option_label
from app.processes.fair_use.guide import month_value, service_phone
from app.services.customers import currency_for_country
from app.services.errors import ValidationError

if TYPE_CHECKING:  # the stored rows the repositories give
    from app.store.models import Bundle

#: The process whose cases count as the customer's complaint history.
COMPLAINT = "complaint"
#: The disputed-month inputs: month_N, other_charges_N, out_of_bundle_data_N.
SLOTS = (1, 2, 3)
AMOUNTS = ("other_charges", "out_of_bundle_data")


def _amount(raw: object) -> Decimal | None:
    if raw is None or raw == "" or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _month(raw: object) -> date | None:
    """A month from ``YYYY-MM`` or any ISO day of it (its first day)."""
    text = str(raw or "")
    try:
        return month_start(date.fromisoformat(text if len(text) != 7 else f"{text}-01"))
    except ValueError:
        return None


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(0, months - (1 if end.day < start.day else 0))


def goodwill_facts(
    ctx: GuideContext, playbook: Playbook, bundle: Bundle | None, bundle_values: Mapping[str, Any]
) -> Facts:
    """The goodwill flow's facts: the bundle, the calculator's figures, the factors."""
    rules = ctx.rules.goodwill
    answers = ctx.answers
    currency = currency_for_country(ctx.partner.country)
    bundle_fee = bundle.package_fee if bundle is not None else None
    fee = bundle_fee if bundle_fee is not None else _amount(answers.get("package_fee"))
    minimum = _amount(answers.get("minimum_spend"))
    values: dict[str, Any] = {
        **bundle_values,
        "package_fee": fee,
        "package_fee_known": bundle_fee is not None,
        "reminder_was_sent": bool(bundle and bundle.reminders_sent),
        "minimum_spend": minimum,
        "service_phone": service_phone(ctx.partner.country),
        "reason": answers.get("reason"),
        "decision": (
            option_label(playbook, "decision", str(answers["decision"]))
            if answers.get("decision")
            else None
        ),
        **_prefill(ctx.case.facts or {}),
        **_factors(ctx),
    }
    rule_ids: list[str] = []
    months = _disputed(answers)
    if months and fee is not None:
        decision = goodwill.evaluate(fee, minimum, months, rules)
        rule_ids.extend(decision.rule_ids)
        values.update(_credit(playbook, decision, months, fee, minimum, ctx, bundle, currency))
    day = rules.consumer_rights_day
    if day is not None and day.is_near(ctx.today):
        rule_ids.append(day.rule_id)
    return Facts(values, tuple(rule_ids), rules.version)


def decision_record(values: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the agent decided, kept on the case (``facts["goodwill_decision"]``)."""
    letter = values.get("goodwill") or {}
    return {
        "decision": answers.get("decision"),
        "suggested": str(values.get("suggested_credit")),
        "granted": str(values.get("granted_credit") or "0.00"),
        "reason": answers.get("reason"),
        "rule_ids": list(letter.get("rule_ids", [])),
    }


def _prefill(case_facts: Mapping[str, Any]) -> dict[str, Any]:
    """Amounts recorded on the case, as defaults for the inputs."""
    rows = case_facts.get("months")
    rows = [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []
    values: dict[str, Any] = {
        "case_minimum_spend": _amount(case_facts.get("minimum_spend")),
        "case_package_fee": _amount(case_facts.get("package_fee")),
    }
    for slot in SLOTS:
        row = rows[slot - 1] if len(rows) >= slot else {}
        values[f"case_month_{slot}"] = _month(row.get("month"))
        values[f"case_other_charges_{slot}"] = _amount(row.get("other_charges"))
        values[f"case_out_of_bundle_data_{slot}"] = _amount(row.get("out_of_bundle_data"))
    return values


def _factors(ctx: GuideContext) -> dict[str, Any]:
    """What the source weighed before deciding, shown to the agent."""
    customer = ctx.customer
    case_facts = ctx.case.facts or {}
    complaints = ctx.uow.cases.count_of(customer.id, COMPLAINT)
    day = ctx.rules.goodwill.consumer_rights_day
    activation = customer.activation_date
    return {
        "activation_date": activation,
        "tenure_months": _months_between(activation, ctx.today) if activation else None,
        "average_monthly_spend": _amount(case_facts.get("average_monthly_spend")),
        "vip": bool(customer.vip),
        "group": case_facts.get("group") or None,
        "complaint_count": int(complaints or 0),
        "consumer_rights_day": long_date(day.next_on_or_after(ctx.today)) if day else None,
        "consumer_rights_day_near": bool(day and day.is_near(ctx.today)),
    }


def _disputed(answers: Mapping[str, Any]) -> list[goodwill.DisputedMonth]:
    """The months entered with both amounts, in input order."""
    months: list[goodwill.DisputedMonth] = []
    for slot in SLOTS:
        month = _month(answers.get(f"month_{slot}"))
        other = _amount(answers.get(f"other_charges_{slot}"))
        data = _amount(answers.get(f"out_of_bundle_data_{slot}"))
        if month is not None and other is not None and data is not None:
            months.append(goodwill.DisputedMonth(month, other, data))
    return months


def check_months(ctx: GuideContext, answers: Mapping[str, Any], bundle: Bundle) -> None:
    """Each month once, after the package ended and not in the future; amounts with a month."""
    seen: set[date] = set()
    for slot in SLOTS:
        field = f"month_{slot}"
        month = _month(answers.get(field))
        if month is None:
            if answers.get(f"other_charges_{slot}") or answers.get(f"out_of_bundle_data_{slot}"):
                raise ValidationError(
                    _("Month {slot}: enter the month these amounts belong to.").format(slot=slot),
                    field=field,
                )
            continue
        words = {"slot": slot, "month": month.strftime("%Y-%m")}
        if month in seen:
            raise ValidationError(
                _("Month {slot}: {month} is entered twice.").format(**words), field=field
            )
        seen.add(month)
        if month > month_start(ctx.today):
            raise ValidationError(
                _("Month {slot}: {month} has not begun yet.").format(**words), field=field
            )
        if month < month_start(bundle.end_date):
            raise ValidationError(
                _(
                    "Month {slot}: {month} is before the package ended ({end}); "
                    "only months after the end are disputed."
                ).format(**words, end=bundle.end_date.isoformat()),
                field=field,
            )


def _credit(
    playbook: Playbook,
    decision: goodwill.GoodwillDecision,
    months: list[goodwill.DisputedMonth],
    fee: Decimal,
    minimum: Decimal | None,
    ctx: GuideContext,
    bundle: Bundle | None,
    currency: str,
) -> dict[str, Any]:
    """The calculator's figures for the decision box, and the letter's records."""
    answers = ctx.answers
    choice = answers.get("decision")
    granted: Decimal | None = None
    if choice == "grant_suggested":
        granted = decision.total_credit
    elif choice == "grant_other":
        granted = _amount(answers.get("amount"))
    lines = [_month_line(playbook, row, currency) for row in decision.months]
    values: dict[str, Any] = {
        f"month_{slot}_figures": lines[slot - 1] if slot <= len(lines) else None for slot in SLOTS
    }
    values.update(
        {
            "months_summary": _joined(lines),
            "suggested_credit": decision.total_credit,
            "has_suggested_credit": decision.total_credit > 0,
            "granted_credit": granted,
            "bundle": {
                "name": bundle.name if bundle else None,
                "end_date": bundle.end_date if bundle else None,
                "package_fee": fee,
            },
            "goodwill": {
                "minimum_spend": (
                    minimum
                    if minimum is not None
                    else ctx.rules.goodwill.credit.default_minimum_spend
                ),
                "total": granted,
                "suggested": decision.total_credit,
                "decision": choice,
                "rule_ids": list(decision.rule_ids),
            },
            "months": [
                {
                    "month": month_value(row.month),
                    "other_charges": given.other_charges,
                    "out_of_bundle_data": given.out_of_bundle_data,
                    "actual": row.actual,
                    "counterfactual": row.counterfactual,
                    "credit": row.credit,
                }
                for row, given in zip(decision.months, months, strict=True)
            ],
        }
    )
    return values


def _separators(language: str) -> tuple[str, str, str]:
    """Colon, comma and list separator as written in ``language``."""
    return ("：", "，", "；") if language == "zh" else (": ", ", ", "; ")


def _month_line(playbook: Playbook, row: goodwill.MonthCredit, currency: str) -> Worded:
    """``January 2026: actual bill ¥100.00, bill with package ¥100.00, credit ¥0.00``."""

    def words(language: str) -> str:
        colon, comma, _list = _separators(language)
        figures = [
            f"{playbook.facts[key].get(language)} {format_money(amount, currency, language)}"
            for key, amount in (
                ("bill_actual", row.actual),
                ("bill_with_package", row.counterfactual),
                ("month_credit", row.credit),
            )
        ]
        month = format_month(row.month, language)
        return f"{month}{colon}{comma.join(figures)}"

    return Worded(f"{row.month:%Y-%m}: {row.credit}", words)


def _joined(lines: list[Worded]) -> Worded:
    return Worded(
        "; ".join(str(line) for line in lines),
        lambda language: _separators(language)[2].join(line.format_for(language) for line in lines),
    )
