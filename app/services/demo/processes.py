"""Demo cases for the five processes, each with its records, history and messages.

Each helper writes a consistent story for one customer: the fair-use helper
writes the usage records of the last four months, a closed case for every
earlier month of the current run and an open case for the current month; the
onboarding helper writes the tasks due so far; and so on. Stage values and
action ids follow PROCESSES.md and RULES_API.md; rule ids are plain strings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from app.services.demo.build import (
    CustomerRef,
    DemoBuilder,
    add_months,
    first_of_month,
    month_end,
    month_key,
)
from app.services.demo.names import PARTNERS

#: The stages each process's demo cases are in (``Case.stage``).
STAGES: dict[str, tuple[str, ...]] = {
    "fair_use": ("1", "2", "3"),
    "expiry": ("month", "week", "goodwill"),
    "contract": ("scheduled", "refused", "done"),
    "onboarding": ("intake", "follow_up", "first_bill", "fit_check", "consolidation"),
    "complaint": ("mass_incident", "consultation", "second_line", "retained", "claim"),
}

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
) -> None:
    """Usage of the last four months (``pattern`` of 0/1, oldest first) and its cases.

    ``done_now``: how many of the current month's actions are done already.
    ``decision``: for stage 3, ``{"measure", "days_ago", "partner_agrees"}``.
    ``missing``: positions in ``pattern`` without a usage record (counts as within).
    """
    months = [first_of_month(add_months(b.today, i - 3)) for i in range(4)]
    run = 0
    exceeded_months: list[str] = []
    for index, (month, flag) in enumerate(zip(months, pattern, strict=True)):
        exceeded = flag == "1" and str(index) not in missing
        if str(index) not in missing:
            b.add_fair_use(c, month, exceeded)
        run = run + 1 if exceeded else 0
        if exceeded:
            exceeded_months.append(month_key(month))
        if not exceeded:
            continue
        stage = min(run, 3)
        current = index == 3
        opened_day = min(month + timedelta(days=14), b.today - timedelta(days=1 if current else 0))
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
        )


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
    rule = [f"fair_use.stage.{stage}"]
    if "sms_1" in done or "sms_2" in done:
        template = "fair_use.sms_1" if stage == 1 else "fair_use.sms_2"
        b.sms(c, step, template, case_id, exported=closed or step.date() < b.today, month=key)
    if "history_entry" in done:
        b.history(
            c,
            step + tick,
            "sms",
            "fu_sms1" if stage == 1 else "fu_sms2",
            case_id=case_id,
            rule_ids=rule,
            payload={"month": key, "stage": stage},
            month=key,
        )
    if "partner_ticket_contact" in done:
        feedback = None
        if closed or c.no.endswith("8"):
            text = _FEEDBACK["sold_internet"][PARTNER_LANGUAGE[c.partner]]
            feedback = (step + timedelta(days=4), None, text)
        subject, body = _TICKET["contact"][lang]
        b.ticket(
            c,
            case_id,
            "fair_use_contact",
            subject,
            body.format(name=c.name, no=c.no),
            step + 2 * tick,
            feedback,
            closed=closed,
        )
        b.history(
            c,
            step + 3 * tick,
            "ticket",
            "fu_ticket2",
            case_id=case_id,
            rule_ids=rule,
            partner=c.partner,
        )
    if decided is not None:
        assert decision is not None
        info = facts["decision"]
        word = _MEASURE[info["measure"]][lang]
        at = b.at(decided)
        b.history(
            c,
            at,
            "step",
            "fu_decision3",
            case_id=case_id,
            rule_ids=rule
            + [f"fair_use.measure.{info['measure']}"]
            + ([] if facts["termination_allowed"] else ["fair_use.exception.mobile_tv_combo"]),
            payload=info,
            measure=word,
            effective=info["effective_date"],
        )
        if "partner_ticket_decision" in done:
            agrees = info["partner_agrees"]
            feedback = None
            if agrees is not None:
                text = _FEEDBACK["agree" if agrees else "disagree"][PARTNER_LANGUAGE[c.partner]]
                feedback = (at + timedelta(hours=5), agrees, text)
            subject, body = _TICKET["decision"][lang]
            b.ticket(
                c,
                case_id,
                "fair_use_decision",
                subject.format(measure=word),
                body.format(name=c.name, no=c.no, measure=word, effective=info["effective_date"]),
                at + tick,
                feedback,
                closed=closed,
            )
            if agrees is False:
                b.history(
                    c,
                    at + timedelta(hours=6),
                    "note",
                    "fu_disagree",
                    case_id=case_id,
                    rule_ids=["fair_use.partner_disagrees"],
                    partner=c.partner,
                    date=info["date"],
                )
        if "letter_to_partner" in done:
            b.letter(
                c,
                case_id,
                f"fair_use_{info['measure']}",
                at + 2 * tick,
                {"customer_no": c.no, "name": c.name, **info},
            )


# --- expiry --------------------------------------------------------------------


def expiry_case(
    b: DemoBuilder,
    c: CustomerRef,
    bundle_no: str,
    end: date,
    stage: str,
    *,
    closed: bool = False,
    facts: dict[str, Any] | None = None,
) -> None:
    """A case following one bundle's end (``stage``: month, week, goodwill)."""
    opened_day = min(add_months(end, -1) if stage == "month" else end - timedelta(days=7), b.today)
    b.case(
        c,
        "expiry",
        bundle_no,
        stage,
        opened=b.at(opened_day),
        facts={"bundle_id": bundle_no, "end_date": end.isoformat(), **(facts or {})},
        closed=b.at(end + timedelta(days=1)) if closed else None,
        due=opened_day,
    )


# --- onboarding ------------------------------------------------------------------

#: (task id, stage, due day, VIP only, title in the agents' languages)
ONBOARDING_TASKS: tuple[tuple[str, str, int, bool, dict[str, str]], ...] = (
    (
        "explain_tariff",
        "intake",
        0,
        False,
        {
            "de": "Tarif erklären",
            "en": "Explain the tariff",
            "zh": "讲解资费",
            "ru": "Разъяснить тариф",
        },
    ),
    (
        "contract_terms",
        "intake",
        0,
        False,
        {
            "de": "Vertragsbedingungen erklären",
            "en": "Explain key contract terms",
            "zh": "讲解协议要点",
            "ru": "Разъяснить условия договора",
        },
    ),
    (
        "service_channels",
        "intake",
        1,
        False,
        {
            "de": "Servicekanäle zeigen",
            "en": "Show the service channels",
            "zh": "介绍服务渠道",
            "ru": "Рассказать о каналах обслуживания",
        },
    ),
    (
        "billing_guide",
        "intake",
        2,
        False,
        {
            "de": "Rechnung prüfen und bezahlen erklären",
            "en": "Explain checking and paying bills",
            "zh": "讲解账单查询与缴费",
            "ru": "Как проверить и оплатить счёт",
        },
    ),
    (
        "vip_benefits",
        "intake",
        3,
        True,
        {
            "de": "VIP-Stufe und Vorteile nennen",
            "en": "Tell VIP level and benefits",
            "zh": "告知VIP等级及权益",
            "ru": "Сообщить уровень VIP и привилегии",
        },
    ),
    (
        "first_call_back",
        "follow_up",
        7,
        False,
        {
            "de": "Erster Rückruf",
            "en": "First call-back",
            "zh": "首次回访",
            "ru": "Первый обратный звонок",
        },
    ),
    (
        "explain_first_bill",
        "first_bill",
        25,
        False,
        {
            "de": "Erste Rechnung erklären",
            "en": "Explain the first bill",
            "zh": "解读首张账单",
            "ru": "Разъяснить первый счёт",
        },
    ),
    (
        "package_fit",
        "fit_check",
        45,
        False,
        {
            "de": "Passt das Abo? (Beratung)",
            "en": "Package-fit coaching",
            "zh": "套餐合适度辅导",
            "ru": "Подходит ли тариф",
        },
    ),
    (
        "satisfaction_check",
        "consolidation",
        80,
        False,
        {
            "de": "Zufriedenheit prüfen",
            "en": "Satisfaction check",
            "zh": "满意度回访",
            "ru": "Проверка удовлетворённости",
        },
    ),
)
ONBOARDING_STAGES = (
    ("intake", 3),
    ("follow_up", 10),
    ("first_bill", 30),
    ("fit_check", 60),
    ("consolidation", 90),
)


def onboarding_stage(day: int) -> str:
    return next((stage for stage, last in ONBOARDING_STAGES if day <= last), "completed")


def onboarding_run(
    b: DemoBuilder,
    c: CustomerRef,
    *,
    vip_rated: date | None = None,
    manager_assigned: date | None = None,
    first_contact: date | None = None,
    skip: tuple[str, ...] = (),
) -> None:
    """The onboarding case of a customer activated within the last 90 days (or just after)."""
    day = (b.today - c.activation).days
    stage = onboarding_stage(day)
    vip = vip_rated is not None
    tasks = [t for t in ONBOARDING_TASKS if vip or not t[3]]
    done = [t[0] for t in tasks if t[2] < day and t[0] not in skip]
    facts: dict[str, Any] = {
        "activation_date": c.activation.isoformat(),
        "day": day,
        "done": done,
        "vip_rated": vip_rated.isoformat() if vip_rated else None,
        "manager_assigned": manager_assigned.isoformat() if manager_assigned else None,
        "manager_first_contact": first_contact.isoformat() if first_contact else None,
    }
    closed = b.at(c.activation + timedelta(days=91)) if stage == "completed" else None
    opened = b.at(c.activation, 8 * 60 + 10)
    case_id = b.case(
        c,
        "onboarding",
        "onboarding",
        stage if not closed else "consolidation",
        opened=opened,
        facts=facts,
        closed=closed,
        due=c.activation + timedelta(days=90),
    )
    lang = c.agent_language
    for task_id, _stage, due_day, _vip, titles in tasks:
        due = c.activation + timedelta(days=due_day)
        if due_day > day + 14:
            continue
        finished = b.at(due) if task_id in done else None
        b.task(c, case_id, f"onboarding.{task_id}", titles[lang], due, opened, finished)
        if finished and task_id in ("explain_tariff", "first_call_back"):
            key = "ob_intake" if task_id == "explain_tariff" else "ob_callback"
            b.history(
                c,
                finished,
                "step",
                key,
                case_id=case_id,
                rule_ids=[f"onboarding.task.{task_id}"],
                payload={"task": task_id},
            )
    if vip_rated is not None:
        titles = {
            "de": "Kundenberater zuweisen",
            "en": "Assign an account manager",
            "zh": "指派客户经理",
            "ru": "Назначить персонального менеджера",
        }
        b.task(
            c,
            case_id,
            "onboarding.assign_manager",
            titles[lang],
            vip_rated + timedelta(days=3),
            opened,
            b.at(manager_assigned) if manager_assigned else None,
        )
        if manager_assigned is not None:
            titles = {
                "de": "Erstkontakt durch Kundenberater",
                "en": "First contact by manager",
                "zh": "客户经理首次联系",
                "ru": "Первый контакт менеджера",
            }
            b.task(
                c,
                case_id,
                "onboarding.first_contact",
                titles[lang],
                manager_assigned + timedelta(days=7),
                b.at(manager_assigned),
                b.at(first_contact) if first_contact else None,
            )


# --- complaints -------------------------------------------------------------------

_SUMMARY = {
    "de": "Kunde meldet ein Problem mit {topic}.",
    "en": "Customer reports a problem with {topic}.",
    "zh": "客户反映{topic}问题。",
    "ru": "Абонент сообщает о проблеме: {topic}.",
}


def complaint_case(
    b: DemoBuilder,
    c: CustomerRef,
    category: str,
    route: str,
    *,
    days_ago: int,
    summary: str,
    facts: dict[str, Any] | None = None,
) -> None:
    """A complaint at ``route`` (routes ending the contact are closed cases)."""
    opened = b.at(b.day(days_ago))
    is_closed = route in ("consultation", "retained")
    all_facts: dict[str, Any] = {
        "category": category,
        "channel": category.split(".")[0],
        "customer_value": c.value,
        "route": route,
        "claim": route == "claim",
        "summary": summary,
        "first_line_resolved": route == "consultation",
        "second_line_normal": True,
        "retention": {"retained": "succeeded", "claim": "impossible"}.get(route),
        "blocker": 1 if route == "claim" else None,
    }
    all_facts.update(facts or {})
    if route == "claim":
        all_facts.setdefault("claim_no", f"CL-{b.today.year}-{b.next_no('claim', 4711):06d}")
    case_id = b.case(
        c,
        "complaint",
        category,
        route,
        opened=opened,
        facts=all_facts,
        closed=opened + timedelta(minutes=25) if is_closed else None,
        due=opened.date() + timedelta(days=3),
    )
    b.history(c, opened, "call", "cmp_open", case_id=case_id, category=category, summary=summary)
    b.history(
        c,
        opened + timedelta(minutes=12),
        "step",
        "cmp_route",
        case_id=case_id,
        rule_ids=[f"complaint.route.{route}"],
        payload={"route": route},
        route=route,
    )


def complaint_summary(c: CustomerRef, topic: str) -> str:
    return _SUMMARY[c.agent_language].format(topic=topic)
