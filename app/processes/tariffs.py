"""The tariff catalogue as the guides offer it: the plans to choose from, and the chosen one.

The catalogue is part of the contract rules (``tariffs`` in
``resources/rules/contract.toml``): every plan the operator sells, per market
(the partner's country), with its monthly fee. A script that moves a customer
to another plan (an upgrade, a downgrade, a fair-use migration) offers these
as a choice (the input's ``options_fact``), so the name that goes into the
customer's letter is the catalogue's and the fee is never typed. An answer
that names no plan of the customer's market is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from app.domain.rule_tables import Tariff
from app.i18n import N_, _, format_money, translator
from app.processes.base import GuideContext
from app.processes.common import Worded
from app.services.customers import currency_for_country
from app.services.errors import ValidationError

#: How a plan is offered: "Smart Abo L (CHF 69.00 a month)".
OPTION = N_("{tariff} ({fee} a month)")


def market(ctx: GuideContext) -> str:
    """The market whose plans the customer may have: the partner's country."""
    return str(ctx.partner.country)


def catalogue(ctx: GuideContext) -> list[Tariff]:
    """The plans of the customer's market, cheapest first."""
    return ctx.rules.contract.tariffs_of(market(ctx))


def tariff_option(tariff: Tariff, currency: str) -> Worded:
    """A plan as a choice: its id, worded with its name and fee."""

    def words(language: str) -> str:
        fee = format_money(tariff.monthly_fee, currency, language)
        return translator(language).gettext(OPTION).format(tariff=tariff.name, fee=fee)

    return Worded(tariff.id, words)


def tariff_choices(
    ctx: GuideContext,
    *,
    current: str | None,
    accept: Callable[[Decimal], bool] = lambda _fee: True,
) -> list[Worded]:
    """The plans the agent may choose: every plan of the market but the ``current``
    one whose fee ``accept`` takes (dearer for an upgrade, cheaper for a downgrade)."""
    currency = currency_for_country(market(ctx))
    return [
        tariff_option(t, currency)
        for t in catalogue(ctx)
        if t.name != current and accept(t.monthly_fee)
    ]


def find_tariff(ctx: GuideContext, answer: object) -> Tariff | None:
    """The plan an answer names: a catalogue id, or (a decision recorded
    before) the plan's name; None for no answer or no such plan."""
    if not isinstance(answer, str) or not answer.strip():
        return None
    key = answer.strip()
    plans = catalogue(ctx)
    return next((t for t in plans if t.id == key), None) or next(
        (t for t in plans if t.name == key), None
    )


def chosen_tariff(ctx: GuideContext, answer: object, field: str = "new_tariff") -> Tariff | None:
    """The plan an answer names; refused (nothing is written) when it names none
    of the catalogue's plans for the customer's market."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    tariff = find_tariff(ctx, answer)
    if tariff is None:
        raise ValidationError(
            _(
                "New price plan: {tariff} is not a plan of the tariff catalogue for {country}; "
                "choose one of the plans offered."
            ).format(tariff=answer, country=market(ctx)),
            field=field,
        )
    return tariff
