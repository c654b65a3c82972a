"""The declared input of each process of the rules engine (RULES_API.md).

Every field a process reads is declared here, once: its name, what it holds,
whether it is required, and a line for ``agent-assist rules --help``. The
readers in :mod:`app.services.rules_api` look each field up in its model, so a
field the evaluators read but the model does not declare (or declares
otherwise) is a bug the test suite catches, and the help always lists exactly
what is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import contracts
from app.i18n import N_, _

__all__ = ["INPUT_MODELS", "KIND_WORDS", "InputField", "describe_inputs"]


@dataclass(frozen=True)
class InputField:
    """One input field: ``kind`` is date, month, amount, count, integer, flag,
    text, object (``fields``), list (of ``item`` values, or objects with
    ``fields``) or map (names to ``item`` values)."""

    name: str
    kind: str
    required: bool = False
    #: What the field means (translatable; shown in the help).
    doc: str = ""
    fields: tuple[InputField, ...] = ()
    item: str = ""
    #: The values a text field takes, when it is one of a few.
    choices: tuple[str, ...] = ()

    def child(self, name: str) -> InputField:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(f"input field {name!r} is not declared in the model of {self.name!r}")


def _f(name: str, kind: str, doc: str, *fields: InputField, required: bool = False,
       item: str = "", choices: tuple[str, ...] = ()) -> InputField:  # fmt: skip
    return InputField(name, kind, required, doc, tuple(fields), item, choices)


def _r(name: str, kind: str, doc: str, *fields: InputField, item: str = "",
       choices: tuple[str, ...] = ()) -> InputField:  # fmt: skip
    return _f(name, kind, doc, *fields, required=True, item=item, choices=choices)


def _plan(name: str, doc: str) -> InputField:
    return _f(
        name,
        "object",
        doc,
        _r("activated", "date", N_("day the plan was activated")),
        _r("down_payment", "amount", N_("paid at activation")),
        _r("financed_amount", "amount", N_("the amount paid in instalments")),
        _r("instalment", "amount", N_("one monthly instalment")),
        _r("instalments_billed", "count", N_("instalments billed so far")),
    )


#: Process -> the model of its input (a JSON object).
INPUT_MODELS: dict[str, InputField] = {
    "contract": _r(
        "contract",
        "object",
        "",
        _r("action", "text", N_("what the customer asks for"), choices=contracts.ACTIONS),
        _r("date", "date", N_("the request date; for activate*, the activation date")),
        _f(
            "subscription",
            "object",
            N_("the subscription the action is about"),
            _f("monthly_fee", "amount", N_("the base fee per month")),
            _f("aio_discount", "amount", N_("the all-in-one discount per month")),
            _f("allowances", "map", N_("units per allowance, such as data_mb"), item="count"),
            _f("last_upgrade_effective", "date", N_("when the last upgrade took effect")),
        ),
        _plan("device_plan", N_("the active device plan")),
        _plan("new_device_plan", N_("the device plan to activate (activate_device_plan)")),
        _f("bill_notice_period", "flag", N_("partner_cancel: bill the notice period")),
        _f("partner_override", "flag", N_("the partner overrides the minimum term")),
        _f("end_date", "date", N_("cancel_device_plan: the day the plan ends; null: at once")),
    ),
    "fair-use": _r(
        "fair-use",
        "object",
        "",
        _r("month", "month", N_("the month to decide")),
        _r("exceeded_months", "list", N_("months the fair-use limit was exceeded"), item="month"),
        _r("mobile_tv", "flag", N_("the customer has mobile TV")),
        _r("combo", "flag", N_("the customer has a combo product")),
        _f(
            "decision",
            "object",
            N_("a measure decided at stage 3"),
            _r("date", "date", N_("the day of the decision")),
            _r("measure", "text", N_("the measure's id from the fair-use rule file")),
            _f("partner_agrees", "flag", N_("the partner's answer; null: not asked yet")),
        ),
    ),
    "expiry": _r(
        "expiry",
        "object",
        "",
        _r("today", "date", N_("the day to look at")),
        _r(
            "bundles",
            "list",
            N_("the customer's bundles"),
            _r("id", "text", N_("the bundle's id, unique")),
            _r("end_date", "date", N_("the bundle's last day")),
            _f("sent", "list", N_("reminders already sent: month, week"), item="text"),
        ),
    ),
    "goodwill": _r(
        "goodwill",
        "object",
        "",
        _r("package_fee", "amount", N_("the lapsed package's fee per month")),
        _f("minimum_spend", "amount", N_("the minimum spend; null: the rule file's default")),
        _r(
            "months",
            "list",
            N_("the disputed months"),
            _r("month", "month", N_("the month")),
            _r("other_charges", "amount", N_("the bill without out-of-bundle data")),
            _r("out_of_bundle_data", "amount", N_("out-of-bundle data charged")),
        ),
    ),
    "onboarding": _r(
        "onboarding",
        "object",
        "",
        _r("activation_date", "date", N_("the day the customer was activated")),
        _r("today", "date", N_("the day to look at")),
        _f("vip_rated", "date", N_("the day the customer was rated VIP")),
        _f("manager_assigned", "date", N_("the day a manager was assigned")),
        _f("manager_first_contact", "date", N_("the manager's first contact")),
        _f("done", "list", N_("task ids from the onboarding rule file already done"), item="text"),
    ),
    "complaint": _r(
        "complaint",
        "object",
        "",
        _r("category", "text", N_("the complaint category's id, such as channel.topic")),
        _r("customer_value", "integer", N_("the customer's value, 1 to 4")),
        _r("mass_incident", "flag", N_("a mass incident is known")),
        _r("first_line_resolved", "flag", N_("the first line resolved it")),
        _r("second_line_normal", "flag", N_("the second line works normally")),
        _f(
            "retention",
            "text",
            N_("the outcome of retention; null: not tried"),
            choices=("succeeded", "impossible"),
        ),
        _f("blocker", "integer", N_("the blocker's number, if any")),
    ),
}

#: How each kind of value is written, for the help.
KIND_WORDS: dict[str, str] = {
    "date": "YYYY-MM-DD",
    "month": "YYYY-MM",
    "amount": '"24.50"',
    "count": N_("whole number from 0"),
    "integer": N_("whole number"),
    "flag": "true/false",
    "text": N_("string"),
    "object": N_("object"),
    "list": N_("list"),
    "map": N_("object of names to values"),
}


def describe_inputs(process: str, indent: str = "  ") -> list[str]:
    """The input fields of ``process`` as help lines: name (* required), kind, meaning."""
    lines: list[str] = []

    def kind_words(field: InputField) -> str:
        if field.kind == "list" and field.fields:
            return _("list of objects")
        words = _(KIND_WORDS[field.kind])
        if field.item:
            return f"{words} ({_(KIND_WORDS[field.item])})"
        return words

    def walk(fields: tuple[InputField, ...], depth: int) -> None:
        for field in fields:
            name = field.name + ("*" if field.required else "")
            head = f"{indent * depth}{name}"
            doc = _(field.doc) if field.doc else ""
            if field.choices:
                doc += " (" + _("one of: {choices}").format(choices=", ".join(field.choices)) + ")"
            lines.append(f"{head:<28} {kind_words(field)}" + (f": {doc}" if doc else ""))
            walk(field.fields, depth + 1)

    walk(INPUT_MODELS[process].fields, 1)
    return lines
