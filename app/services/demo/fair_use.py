"""Demo fair-use stories: four months of usage, a case per exceeded month, its messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from app.i18n import format_date
from app.services.demo.build import (
    CustomerRef,
    DemoBuilder,
    add_months,
    first_of_month,
    month_end,
    month_key,
)
from app.services.demo.names import PARTNERS, TARIFFS
from app.services.demo.records import add_fair_use, letter, sms, ticket
from app.services.wording import products_words

FAIR_USE_ACTIONS: dict[int, tuple[str, ...]] = {
    1: ("sms_1", "history_entry"),
    2: ("sms_2", "history_entry", "partner_ticket_contact"),
    3: (
        "review_products",
        "decide_measure",
        "partner_ticket_decision",
        "letter_to_partner",
        "execute_measure",
    ),
}

#: Rule ids as in resources/rules/fair_use.toml (kept as plain strings).
STAGE_RULES = {
    1: "fair_use.stage.1.first_month",
    2: "fair_use.stage.2.second_month",
    3: "fair_use.stage.3.third_month",
}
PARTNER_LANGUAGE = {p.code: p.language for p in PARTNERS}

_MEASURE = {
    "migration": {
        "de": "Migration",
        "en": "migration",
        "zh": "套餐迁移",
        "ru": "перевод на другой тариф",
    },
    "termination": {"de": "Kündigung", "en": "termination", "zh": "销户", "ru": "расторжение"},
}
#: The justification the agent gave the partner (in the letters to partner and customer).
_JUSTIFICATION = {
    "de": "Die Nutzung entspricht einem Internetanschluss zu Hause, nicht einem Mobilabo.",
    "en": "The usage is that of a home internet connection, not of a mobile subscription.",
    "zh": "该用量相当于家庭宽带，而非移动套餐的正常使用。",
    "ru": "Объём использования соответствует домашнему интернету, а не мобильной связи.",
}
_TICKET = {
    "contact": {
        "de": (
            "Fair-Use Stufe 2: Kunde kontaktieren",
            "Bitte Kunde {name} ({no}) mit der einheitlichen Formulierung zur "
            "Fair-Use-Policy kontaktieren und Feedback im Ticket erfassen.",
        ),
        "en": (
            "Fair use stage 2: contact the customer",
            "Please contact {name} ({no}) with the uniform fair-use wording and report "
            "your feedback on this ticket.",
        ),
        "zh": (
            "公平使用第2阶段：请联系客户",
            "请按统一口径联系客户{name}（{no}），说明公平使用政策，并在工单中反馈。",
        ),
        "ru": (
            "Fair use, этап 2: связаться с абонентом",
            "Просим связаться с абонентом {name} ({no}) по единому сценарию и "
            "сообщить результат в заявке.",
        ),
    },
    "decision": {
        "de": (
            "Fair-Use Stufe 3: Entscheid {measure}",
            "Kunde {name} ({no}): drei Monate in Folge über den Limiten. Entscheid: "
            "{measure} per {effective}. Begründung: Produkte und Umsatz geprüft.",
        ),
        "en": (
            "Fair use stage 3: decision {measure}",
            "{name} ({no}): over the limits three months in a row. Decision: {measure} "
            "effective {effective}. Reason: products and revenue reviewed.",
        ),
        "zh": (
            "公平使用第3阶段：决定{measure}",
            "客户{name}（{no}）连续三个月超出限额。决定：{measure}，{effective}生效。"
            "依据：已审核产品及收入。",
        ),
        "ru": (
            "Fair use, этап 3: решение — {measure}",
            "Абонент {name} ({no}): превышение три месяца подряд. Решение: {measure} с "
            "{effective}. Обоснование: проверены продукты и выручка.",
        ),
    },
}
_FEEDBACK = {
    "sold_internet": {
        "de": "Kunde kontaktiert. Nutzt das Handy als Internet zu Hause; Internet-Abo verkauft.",
        "zh": "已联系客户，客户把手机当家庭宽带使用，已推荐办理宽带。",
        "ru": "Связались с абонентом: использует телефон как домашний интернет, подключён "
        "домашний интернет.",
    },
    "agree": {
        "de": "Einverstanden, Schreiben wird dem Kunden zugestellt.",
        "zh": "同意该决定，通知书将转交客户。",
        "ru": "Согласны, уведомление будет передано абоненту.",
    },
    "disagree": {
        "de": "Nicht einverstanden: langjähriger Kunde, wir übernehmen den Mehrverbrauch.",
        "zh": "不同意：该客户为长期优质客户，超额部分由我方承担。",
        "ru": "Не согласны: абонент с нами много лет, превышение оплатим сами.",
    },
}


def fair_use_run(
    b: DemoBuilder,
    c: CustomerRef,
    pattern: str,
    *,
    done_now: int = 0,
    decision: dict[str, Any] | None = None,
    missing: str = "",
    partner_feedback: bool = False,
    open_month: int = 3,
    opened_on: date | None = None,
) -> None:
    """Usage of the last four months (``pattern`` of 0/1, oldest first) and its cases.

    ``done_now``: how many of the current month's actions are done already.
    ``decision``: for stage 3, ``{"measure", "days_ago", "partner_agrees"}``.
    ``missing``: positions in ``pattern`` without a usage record (counts as within).
    ``partner_feedback``: the partner has answered the current month's contact ticket.
    ``open_month``: the position in ``pattern`` of the month whose case is open (the
    current month's, or last month's whose measure waits for the partner's answer).
    ``opened_on``: the day that case was opened (default: mid-month or yesterday).
    """
    months = [first_of_month(add_months(b.today, i - 3)) for i in range(4)]
    run = 0
    exceeded_months: list[str] = []
    for index, (month, flag) in enumerate(zip(months, pattern, strict=True)):
        exceeded = flag == "1" and str(index) not in missing
        if str(index) not in missing:
            add_fair_use(b, c, month, exceeded)
        run = run + 1 if exceeded else 0
        if exceeded:
            exceeded_months.append(month_key(month))
        if not exceeded:
            continue
        stage = min(run, 3)
        current = index == open_month
        opened_day = min(month + timedelta(days=14), b.today - timedelta(days=1 if current else 0))
        if current and opened_on is not None:
            opened_day = opened_on
        actions = FAIR_USE_ACTIONS[stage]
        count = done_now if current else len(actions)
        if stage == 3 and decision and current:
            count = max(count, 3)
        _fair_use_case(
            b,
            c,
            month,
            stage,
            exceeded_months[-3:],
            actions[:count],
            opened=b.at(opened_day),
            closed=not current,
            decision=decision if stage == 3 else None,
            partner_feedback=partner_feedback,
        )


def _letter_decision(
    b: DemoBuilder, c: CustomerRef, info: dict[str, Any], exceeded: list[str], rules: list[str]
) -> dict[str, Any]:
    """The ``decision`` record the stage-3 letters are filled from, as the guide freezes it:
    the customer's tariff and, for a migration, the cheapest plan of the country."""
    current = [
        row
        for row in b.rows["subscriptions"]
        if row["customer_id"] == c.id and row["cancelled_effective"] is None
    ]
    tariff = current[-1]["tariff"] if current else TARIFFS[c.country][-1].name
    cheapest = min(TARIFFS[c.country], key=lambda t: t.rank)
    migration = info["measure"] == "migration"
    return {
        "measure": info["measure"],
        "date": info["date"],
        "effective_date": info["effective_date"],
        "tariff": tariff,
        "current_tariff": tariff,
        "new_tariff": cheapest.name if migration else None,
        "new_monthly_fee": f"{cheapest.monthly_fee:.2f}" if migration else None,
        "justification": _JUSTIFICATION[c.language],
        "rule_ids": rules,
        "exceeded_months": list(exceeded),
    }


def _fair_use_case(
    b: DemoBuilder,
    c: CustomerRef,
    month: date,
    stage: int,
    exceeded: list[str],
    done: tuple[str, ...],
    *,
    opened: datetime,
    closed: bool,
    decision: dict[str, Any] | None,
    partner_feedback: bool = False,
) -> None:
    key = month_key(month)
    lang = c.agent_language
    facts: dict[str, Any] = {
        "month": key,
        "stage": stage,
        "exceeded_months": exceeded,
        "mobile_tv": "mobile_tv" in c.products,
        "combo": "combo" in c.products,
        "termination_allowed": not ("mobile_tv" in c.products and "combo" in c.products),
        "actions_done": list(done),
    }
    if "execute_measure" in done and not closed:
        facts["keep_open"] = True  # open until the partner has answered on the ticket
    step = opened
    tick = timedelta(minutes=7)
    decided = None
    if stage == 3 and "decide_measure" in done:
        decision = decision or {"measure": "migration", "days_ago": 0, "partner_agrees": True}
        decided = opened.date() if closed else b.today - timedelta(days=decision["days_ago"])
        decided = max(decided, opened.date())
        measure = decision["measure"]
        effective = (
            add_months(first_of_month(decided), 1) if measure == "migration" else month_end(decided)
        )
        facts["decision"] = {
            "date": decided.isoformat(),
            "measure": measure,
            "effective_date": effective.isoformat(),
            "partner_agrees": decision.get("partner_agrees"),
        }
        # What the agent answered besides (a run continued from the case needs it).
        letter_facts = _letter_decision(b, c, facts["decision"], exceeded, [])
        for name in ("justification", "new_tariff", "new_monthly_fee"):  # not ``key``: the month
            if letter_facts[name] is not None:
                facts["decision"][name] = letter_facts[name]
        if decision.get("partner_agrees") is False:
            facts["bill_overuse_to_partner_from"] = decided.isoformat()
            facts["report_to_controlling"] = True
    case_closed = b.at(month_end(month) + timedelta(days=3)) if closed else None
    case_id = b.case(
        c,
        "fair_use",
        key,
        str(stage),
        opened=opened,
        facts=facts,
        closed=case_closed,
        due=opened.date(),
        script_state={
            "next_action": next((a for a in FAIR_USE_ACTIONS[stage] if a not in done), None)
        },
    )
    rule = [STAGE_RULES[stage], "fair_use.stage.consecutive_months"]

    def record(when: datetime, kind: str, key_: str, action: str, **values: Any) -> None:
        """The history entry that marks ``action`` done for this month (as the guide writes it)."""
        payload = {"process": "fair_use", "subject": key, "action": action, "stage": stage}
        payload.update(values.pop("extra", {}))
        b.history(c, when, kind, key_, case_id=case_id, rule_ids=values.pop("rules", rule),
                  payload=payload, **values)  # fmt: skip

    if stage in (1, 2) and f"sms_{stage}" in done:
        sms(b, c, step, f"fair_use.sms_{stage}", case_id,
            exported=closed or step.date() < b.today, month=key)  # fmt: skip
        record(step, "sms", "fu_sms_sent", f"sms_{stage}", number=stage, msisdn=c.msisdn)
    if "history_entry" in done:
        record(step + tick, "note", f"fu_sms{stage}", "history_entry", month=key)
    if "partner_ticket_contact" in done:
        feedback = None
        if closed or partner_feedback:
            text = _FEEDBACK["sold_internet"][PARTNER_LANGUAGE[c.partner]]
            feedback = (min(step + timedelta(days=4), b.now - timedelta(hours=1)), None, text)
        subject, body = _TICKET["contact"][lang]
        ticket(b, c, case_id, "fair_use_contact", subject, body.format(name=c.name, no=c.no),
               step + 2 * tick, feedback, closed=closed)  # fmt: skip
        record(step + 3 * tick, "ticket", "fu_ticket2", "partner_ticket_contact", partner=c.partner)
    if "review_products" in done:
        products = products_words(c.products, lang)
        record(step + tick, "step", "fu_review", "review_products", products=products,
               extra={"products": list(c.products)})  # fmt: skip
    if decided is None:
        return
    info = facts["decision"]
    word = _MEASURE[info["measure"]][lang]
    exception = (
        "fair_use.exception.none"
        if facts["termination_allowed"]
        else "fair_use.exception.mobile_tv_combo"
    )
    at = b.at(decided)
    record(at, "step", "fu_decision3", "decide_measure", measure=word,
           effective=info["effective_date"], extra=info,
           rules=[*rule, f"fair_use.measure.{info['measure']}", exception])  # fmt: skip
    if "partner_ticket_decision" in done:
        agrees = info["partner_agrees"]
        feedback = None
        if agrees is not None:
            text = _FEEDBACK["agree" if agrees else "disagree"][PARTNER_LANGUAGE[c.partner]]
            feedback = (at + timedelta(hours=5), agrees, text)
        subject, body = _TICKET["decision"][lang]
        ticket(b, c, case_id, "fair_use_decision", subject.format(measure=word),
               body.format(name=c.name, no=c.no, measure=word,
                           effective=format_date(date.fromisoformat(
                               str(info["effective_date"])), lang)),
               at + tick, feedback, closed=closed)  # fmt: skip
        record(at + 2 * tick, "ticket", "fu_ticket3", "partner_ticket_decision",
               partner=c.partner, measure=word)  # fmt: skip
        if agrees is False:
            b.history(c, at + timedelta(hours=6), "note", "fu_disagree", case_id=case_id,
                      rule_ids=["fair_use.partner_disagrees"], partner=c.partner,
                      date=info["date"])  # fmt: skip
    if "letter_to_partner" in done:
        record_ = _letter_decision(
            b, c, info, exceeded, [*rule, f"fair_use.measure.{info['measure']}", exception]
        )
        letter(b, c, case_id, f"fair_use_{info['measure']}", at + 3 * tick, {"decision": record_})
        # The cover note is written in the partner's language, as its tickets are.
        letter(b, c, case_id, "fair_use_partner_note", at + 3 * tick, {"decision": record_},
               language=PARTNER_LANGUAGE[c.partner])  # fmt: skip
        record(at + 3 * tick, "letter", "fu_letter", "letter_to_partner", partner=c.partner,
               measure=word)  # fmt: skip
    if "execute_measure" in done:
        record(at + 4 * tick, "step", "fu_execute", "execute_measure", measure=word,
               effective=info["effective_date"])  # fmt: skip
