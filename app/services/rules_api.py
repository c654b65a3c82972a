"""The JSON face of the rules engine (``agent-assist rules``, RULES_API.md).

:func:`evaluate` takes one process name and the parsed JSON input, checks every
field (reporting the dotted path, zero-based list indexes, of the first bad
one), asks the domain and renders its decision as the documented JSON object.

Input conventions, decided where RULES_API.md is silent:

* Fields that may be ``null`` may also be left out; so may the flags and
  fields documented for one contract action only (``bill_notice_period``,
  ``partner_override``, ``end_date``, ``new_device_plan``), the subscription
  where the action does not use it, and the lists ``sent`` and ``done``.
  Every other field is required. Unknown keys are ignored.
* Amounts are strings of digits with at most two decimals and are never
  negative (``"5"``, ``"24.50"``); numbers, commas, signs and exponents are
  invalid. Counts are JSON integers (``true`` is not an integer).
* Dates are real calendar dates written ``YYYY-MM-DD``; months ``YYYY-MM``;
  both in the years 1900 to 2999, so that the rules' month arithmetic stays
  inside the calendar.
* Amounts have at most 12 digits before the decimal point (decimal
  arithmetic is exact to 28 digits).
* JSON nests at most 32 levels deep.
* fair-use: a decision dated before its month is invalid (``decision.date``).
* expiry: bundle ids are non-empty strings and unique.
* onboarding: a manager is assigned to a VIP only, on or after the rating;
  first contact needs the assignment and follows it; ``done`` holds task ids
  from the onboarding rule file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain import PROCESSES, complaints, contracts, expiry, fair_use, goodwill, onboarding
from app.domain.errors import RuleInputError
from app.domain.money import format_money
from app.domain.ruleset import RuleSet
from app.i18n import _
from app.services.rules_inputs import INPUT_MODELS, KIND_WORDS, InputField, describe_inputs

__all__ = ["INPUT_MODELS", "PROCESSES", "InputError", "InputField", "describe_inputs", "evaluate"]

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_AMOUNT_RE = re.compile(r"([0-9]+)(?:\.[0-9]{1,2})?", re.ASCII)
#: Whole-franc digits an amount may have: far beyond any bill, well inside
#: the 28 significant digits decimal arithmetic keeps exact.
MAX_AMOUNT_DIGITS = 12
#: Years a date or month may name: the rules add years of notice and plan
#: months to it, which must stay inside the calendar.
MIN_YEAR, MAX_YEAR = 1900, 2999
_MISSING: Any = object()


class InputError(ValueError):
    """Invalid input: the dotted path of the field and a sentence saying why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"field": self.field, "message": self.message}}


# --- reading fields ------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


class _Object:
    """A JSON object being read, with its dotted path for error messages.

    Every key is read through the object's :class:`InputField` model, which
    must declare it with the kind and the requiredness the reader expects.
    """

    def __init__(self, data: object, model: InputField, path: str = "") -> None:
        if not isinstance(data, dict):
            raise InputError(path, _("Expected a JSON object."))
        self.data = data
        self.model = model
        self.path = path

    def at(self, key: str) -> str:
        return _join(self.path, key)

    def _declared(self, key: str, kinds: tuple[str, ...], required: bool | None) -> InputField:
        field = self.model.child(key)
        if field.kind not in kinds or (required is not None and field.required != required):
            raise AssertionError(
                f"input field {self.at(key)} is read as {'/'.join(kinds)} "
                f"(required={required}) but declared {field.kind} (required={field.required})"
            )
        return field

    def required(self, key: str, *kinds: str) -> Any:
        self._declared(key, kinds or tuple(KIND_WORDS), True)
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            raise InputError(self.at(key), _("This field is required."))
        return value

    def optional(self, key: str, *kinds: str) -> Any:
        """The value, or None when the key is absent or null."""
        self._declared(key, kinds or tuple(KIND_WORDS), False)
        return self.data.get(key)

    def _value(self, key: str, required: bool, *kinds: str) -> Any:
        return self.required(key, *kinds) if required else self.optional(key, *kinds)

    def day(self, key: str) -> date:
        return parse_date(self.required(key, "date"), self.at(key))

    def opt_day(self, key: str) -> date | None:
        value = self.optional(key, "date")
        return None if value is None else parse_date(value, self.at(key))

    def month(self, key: str) -> date:
        return parse_month(self.required(key, "month"), self.at(key))

    def amount(self, key: str) -> Decimal:
        return parse_amount(self.required(key, "amount"), self.at(key))

    def opt_amount(self, key: str) -> Decimal | None:
        value = self.optional(key, "amount")
        return None if value is None else parse_amount(value, self.at(key))

    def flag(self, key: str, required: bool = True) -> bool:
        """A boolean; an optional flag left out (or null) is false."""
        value = self._value(key, required, "flag")
        if value is None:
            return False
        if not isinstance(value, bool):
            raise InputError(self.at(key), _("Expected true or false."))
        return value

    def count(self, key: str) -> int:
        return parse_int(self.required(key, "count"), self.at(key), minimum=0)

    def opt_integer(self, key: str) -> int | None:
        value = self.optional(key, "integer")
        return None if value is None else parse_int(value, self.at(key))

    def text(self, key: str) -> str:
        value = self.required(key, "text")
        if not isinstance(value, str) or not value:
            raise InputError(self.at(key), _("Expected a non-empty string."))
        return value

    def items(self, key: str, required: bool = True) -> list[tuple[str, Any]]:
        """(dotted path, value) of each entry of a list field."""
        value = self._value(key, required, "list")
        if value is None:
            return []
        if not isinstance(value, list):
            raise InputError(self.at(key), _("Expected a list."))
        return [(_join(self.at(key), i), item) for i, item in enumerate(value)]

    def objects(self, key: str) -> list[_Object]:
        """Each entry of a required list of objects, read through the list's model."""
        model = self.model.child(key)
        return [_Object(value, model, path) for path, value in self.items(key)]

    def child(self, key: str) -> _Object | None:
        value = self.optional(key, "object", "map")
        return None if value is None else _Object(value, self.model.child(key), self.at(key))


def parse_date(value: object, field: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise InputError(field, _("Expected a date written YYYY-MM-DD."))
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(field, _("There is no such date.")) from None
    _check_year(day.year, field)
    return day


def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(
            field,
            _("Expected a year from %(first)d to %(last)d.")
            % {"first": MIN_YEAR, "last": MAX_YEAR},
        )


def parse_month(value: object, field: str) -> date:
    match = _MONTH_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InputError(field, _("Expected a month written YYYY-MM."))
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1:
        raise InputError(field, _("There is no such month."))
    _check_year(year, field)
    return date(year, month, 1)


def parse_amount(value: object, field: str) -> Decimal:
    match = _AMOUNT_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InputError(
            field,
            _('Expected an amount as a string with at most two decimals, such as "24.50".'),
        )
    if len(match[1].lstrip("0")) > MAX_AMOUNT_DIGITS:
        raise InputError(
            field,
            _("The amount is too large: at most %(digits)d digits before the decimal point.")
            % {"digits": MAX_AMOUNT_DIGITS},
        )
    return Decimal(match[0])


def parse_int(value: object, field: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, _("Expected a whole number."))
    if minimum is not None and value < minimum:
        raise InputError(field, _("Must be at least %(minimum)d.") % {"minimum": minimum})
    return value


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# --- contract ------------------------------------------------------------------


def _device_plan(obj: _Object | None) -> contracts.DevicePlan | None:
    if obj is None:
        return None
    return contracts.DevicePlan(
        activated=obj.day("activated"),
        down_payment=obj.amount("down_payment"),
        financed_amount=obj.amount("financed_amount"),
        instalment=obj.amount("instalment"),
        instalments_billed=obj.count("instalments_billed"),
    )


def _subscription(obj: _Object | None) -> contracts.Subscription | None:
    if obj is None:
        return None
    allowances: dict[str, int] = {}
    raw = obj.child("allowances")
    if raw is not None:
        for name, units in raw.data.items():
            allowances[name] = parse_int(units, raw.at(name), minimum=0)
    return contracts.Subscription(
        monthly_fee=obj.opt_amount("monthly_fee"),
        aio_discount=obj.opt_amount("aio_discount") or Decimal(0),
        allowances=allowances,
        last_upgrade_effective=obj.opt_day("last_upgrade_effective"),
    )


def _contract(obj: _Object, rules: RuleSet) -> dict[str, Any]:
    action = obj.text("action")
    if action not in contracts.ACTIONS:
        raise InputError(
            obj.at("action"),
            _("Unknown action; expected one of: %(actions)s.")
            % {"actions": ", ".join(contracts.ACTIONS)},
        )
    request = contracts.ContractRequest(
        action=action,  # type: ignore[arg-type]
        date=obj.day("date"),
        subscription=_subscription(obj.child("subscription")),
        device_plan=_device_plan(obj.child("device_plan")),
        new_device_plan=_device_plan(obj.child("new_device_plan")),
        bill_notice_period=obj.flag("bill_notice_period", required=False),
        partner_override=obj.flag("partner_override", required=False),
        end_date=obj.opt_day("end_date"),
    )
    d = contracts.evaluate(request, rules.contract)
    return {
        "allowed": d.allowed,
        "effective_date": _iso(d.effective_date),
        "earliest_allowed_date": _iso(d.earliest_allowed_date),
        "needs_ticket": d.needs_ticket,
        "billed_until": _iso(d.billed_until),
        "device_plan_end": _iso(d.device_plan_end),
        "charges": [
            {"kind": c.kind, "amount": format_money(c.amount), "due": c.due.isoformat()}
            for c in d.charges
        ],
        "allowances": dict(d.allowances),
        "rule_ids": list(d.rule_ids),
    }


# --- fair use ------------------------------------------------------------------


def _fair_use(obj: _Object, rules: RuleSet) -> dict[str, Any]:
    month = obj.month("month")
    exceeded = [parse_month(value, path) for path, value in obj.items("exceeded_months")]
    mobile_tv = obj.flag("mobile_tv")
    combo = obj.flag("combo")
    decision = None
    raw = obj.child("decision")
    if raw is not None:
        when = raw.day("date")
        measure = raw.text("measure")
        if measure not in rules.fair_use.measures_by_id:
            known = ", ".join(m.id for m in rules.fair_use.measures)
            raise InputError(
                raw.at("measure"), _("Unknown measure; expected one of: %(m)s.") % {"m": known}
            )
        agrees = raw.optional("partner_agrees", "flag")
        if agrees is not None and not isinstance(agrees, bool):
            raise InputError(raw.at("partner_agrees"), _("Expected true, false or null."))
        decision = fair_use.MeasureDecision(when, measure, agrees)
    case = fair_use.FairUseCase(month, exceeded, mobile_tv, combo, decision)
    d = fair_use.evaluate(case, rules.fair_use)
    measure_out = None
    if d.measure is not None:
        measure_out = {
            "measure": d.measure.measure,
            "allowed": d.measure.allowed,
            "effective_date": _iso(d.measure.effective_date),
        }
    return {
        "stage": d.stage,
        "consecutive_months": d.consecutive_months,
        "actions": list(d.actions),
        "termination_allowed": d.termination_allowed,
        "measure": measure_out,
        "bill_overuse_to_partner_from": _iso(d.bill_overuse_to_partner_from),
        "report_to_controlling": d.report_to_controlling,
    }


# --- expiry --------------------------------------------------------------------


def _expiry(obj: _Object, rules: RuleSet) -> dict[str, Any]:
    today = obj.day("today")
    known = rules.expiry.reminder_ids
    bundles = []
    for item in obj.objects("bundles"):
        bundle_id = item.text("id")
        end_date = item.day("end_date")
        sent: set[str] = set()
        for sent_path, reminder in item.items("sent", required=False):
            if not isinstance(reminder, str) or reminder not in known:
                raise InputError(
                    sent_path,
                    _("Unknown reminder; expected one of: %(r)s.")
                    % {"r": ", ".join(r.id for r in rules.expiry.reminders)},
                )
            sent.add(reminder)
        bundles.append(expiry.Bundle(bundle_id, end_date, frozenset(sent)))
    d = expiry.evaluate(today, bundles, rules.expiry)
    return {
        "due": [
            {"bundle_id": r.bundle_id, "reminder": r.reminder, "due_date": r.due_date.isoformat()}
            for r in d.due
        ]
    }


# --- goodwill ------------------------------------------------------------------


def _goodwill(obj: _Object, rules: RuleSet) -> dict[str, Any]:
    package_fee = obj.amount("package_fee")
    minimum_spend = obj.opt_amount("minimum_spend")
    months = []
    for item in obj.objects("months"):
        months.append(
            goodwill.DisputedMonth(
                month=item.month("month"),
                other_charges=item.amount("other_charges"),
                out_of_bundle_data=item.amount("out_of_bundle_data"),
            )
        )
    d = goodwill.evaluate(package_fee, minimum_spend, months, rules.goodwill)
    return {
        "months": [
            {
                "month": _month_text(m.month),
                "actual": format_money(m.actual),
                "counterfactual": format_money(m.counterfactual),
                "credit": format_money(m.credit),
            }
            for m in d.months
        ],
        "total_credit": format_money(d.total_credit),
    }


# --- onboarding ----------------------------------------------------------------


def _onboarding(obj: _Object, rules: RuleSet) -> dict[str, Any]:
    activation = obj.day("activation_date")
    today = obj.day("today")
    vip_rated = obj.opt_day("vip_rated")
    assigned = obj.opt_day("manager_assigned")
    first_contact = obj.opt_day("manager_first_contact")
    done = []
    for path, value in obj.items("done", required=False):
        if not isinstance(value, str):
            raise InputError(path, _("Expected a task id (a string)."))
        done.append(value)
    case = onboarding.OnboardingCase(
        activation, today, vip_rated, assigned, first_contact, tuple(done)
    )
    d = onboarding.evaluate(case, rules.onboarding)
    return {
        "day": d.day,
        "stage": d.stage,
        "vip": {
            "assign_due": _iso(d.vip.assign_due),
            "first_contact_due": _iso(d.vip.first_contact_due),
            "overdue": list(d.vip.overdue),
        },
        "tasks": [
            {"id": t.id, "stage": t.stage, "due": t.due.isoformat(), "status": t.status}
            for t in d.tasks
        ],
    }


# --- complaint -----------------------------------------------------------------


def _complaint(obj: _Object, rules: RuleSet) -> dict[str, Any]:
    category = obj.text("category")
    if category not in rules.complaint.channel_of_category:
        raise InputError(obj.at("category"), _("Unknown complaint category."))
    value = parse_int(obj.required("customer_value", "integer"), obj.at("customer_value"))
    mass_incident = obj.flag("mass_incident")
    first_line_resolved = obj.flag("first_line_resolved")
    second_line_normal = obj.flag("second_line_normal")
    retention = obj.optional("retention", "text")
    if retention not in (None, "succeeded", "impossible"):
        raise InputError(obj.at("retention"), _('Expected null, "succeeded" or "impossible".'))
    blocker = obj.opt_integer("blocker")
    case = complaints.ComplaintCase(
        category, value, mass_incident, first_line_resolved, second_line_normal, retention, blocker
    )
    d = complaints.evaluate(case, rules.complaint)
    return {"route": d.route, "claim": d.claim}


_EVALUATORS: dict[str, Callable[[_Object, RuleSet], dict[str, Any]]] = {
    "contract": _contract,
    "fair-use": _fair_use,
    "expiry": _expiry,
    "goodwill": _goodwill,
    "onboarding": _onboarding,
    "complaint": _complaint,
}


def evaluate(process: str, payload: object, ruleset: RuleSet) -> dict[str, Any]:
    """The documented JSON answer of ``process`` for ``payload`` under ``ruleset``.

    Raises :class:`InputError` (field, message) for invalid input.
    """
    evaluator = _EVALUATORS.get(process)
    if evaluator is None:
        raise InputError(
            "process",
            _("Unknown process; expected one of: %(p)s.") % {"p": ", ".join(PROCESSES)},
        )
    obj = _Object(payload, INPUT_MODELS[process])
    try:
        return evaluator(obj, ruleset)
    except RuleInputError as exc:
        raise InputError(exc.field, _(exc.message)) from None
