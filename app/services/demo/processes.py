"""Demo cases for the five processes, each with its records, history and messages.

Each helper writes a consistent story for one customer: the fair-use helper
writes the usage records of the last four months, a closed case for every
earlier month of the current run and an open case for the current month; the
onboarding helper writes the tasks due so far; and so on. Stage values and
action ids follow PROCESSES.md and RULES_API.md; rule ids are plain strings.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.services.demo.build import (
    CustomerRef,
    DemoBuilder,
    add_months,
)
from app.services.demo.records import task
from app.services.wording import category_words, route_words

#: The stages each process's demo cases are in (``Case.stage``).
STAGES: dict[str, tuple[str, ...]] = {
    "fair_use": ("1", "2", "3"),
    "expiry": ("month", "week", "goodwill"),
    "contract": ("scheduled", "refused", "done"),
    "onboarding": ("intake", "follow_up", "first_bill", "fit_check", "consolidation"),
    "complaint": ("mass_incident", "consultation", "second_line", "retained", "claim"),
}

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
        f"goodwill:{bundle_no}" if stage == "goodwill" else f"{bundle_no}:{stage}",
        stage,
        opened=b.at(opened_day),
        facts={"bundle_id": bundle_no, "end_date": end.isoformat(), **(facts or {})},
        closed=b.at(end + timedelta(days=1)) if closed else None,
        due=opened_day,
    )


# --- onboarding ------------------------------------------------------------------

#: The onboarding tasks (ids and due days as in resources/rules/onboarding.toml):
#: (task id, due day, VIP only, title in the agents' languages).
ONBOARDING_TASKS: tuple[tuple[str, int, bool, dict[str, str]], ...] = (
    ("explain_tariff", 3, False, {"de": "Tarif erklären", "en": "Explain the tariff",
     "zh": "讲解资费", "ru": "Разъяснить тариф"}),
    ("contract_terms", 3, False, {"de": "Vertragsbedingungen erklären",
     "en": "Explain the key contract terms", "zh": "讲解协议要点",
     "ru": "Разъяснить условия договора"}),
    ("service_channels", 3, False, {"de": "Servicekanäle zeigen",
     "en": "Show the service channels", "zh": "介绍服务渠道",
     "ru": "Рассказать о каналах обслуживания"}),
    ("billing_and_payment", 3, False, {"de": "Rechnung prüfen und bezahlen",
     "en": "How to check and pay bills", "zh": "讲解账单查询与缴费",
     "ru": "Как проверить и оплатить счёт"}),
    ("data_usage_advice", 3, False, {"de": "Tipps zum Datenverbrauch",
     "en": "Data-usage advice", "zh": "流量使用提醒", "ru": "Советы по расходу трафика"}),
    ("vip_level_benefits", 3, True, {"de": "VIP-Stufe und Vorteile nennen",
     "en": "Tell the VIP level and benefits", "zh": "告知VIP等级及权益",
     "ru": "Сообщить уровень VIP и привилегии"}),
    ("recommend_club", 3, False, {"de": "Kundenclub empfehlen",
     "en": "Recommend the customer club", "zh": "推荐客户俱乐部",
     "ru": "Рекомендовать клуб абонентов"}),
    ("coach_number_change", 3, False, {"de": "Coaching: Nummernwechsel mitteilen",
     "en": "Coaching: number-change notification", "zh": "辅导：改号通知",
     "ru": "Как сообщить о смене номера"}),
    ("coach_internet_setup", 3, False, {"de": "Interneteinstellungen und Smartphone-Grundlagen",
     "en": "Internet settings and smartphone basics", "zh": "上网设置及智能手机基本操作",
     "ru": "Настройка интернета и основы смартфона"}),
    ("first_callback", 10, False, {"de": "Erster Rückruf", "en": "First call-back",
     "zh": "首次回访", "ru": "Первый обратный звонок"}),
    ("explain_first_bill", 30, False, {"de": "Erste Rechnung erklären",
     "en": "Explain the first bill", "zh": "解读首张账单", "ru": "Разъяснить первый счёт"}),
    ("package_fit_coaching", 60, False, {"de": "Passt das Abo? (Beratung)",
     "en": "Package-fit coaching", "zh": "套餐合适度辅导", "ru": "Подходит ли тариф"}),
    ("recommend_value_added", 60, False, {"de": "Zusatzdienste und Pakete empfehlen",
     "en": "Recommend value-added services", "zh": "推荐增值业务及融合套餐",
     "ru": "Рекомендовать дополнительные услуги"}),
    ("satisfaction_check", 90, False, {"de": "Zufriedenheit prüfen",
     "en": "Satisfaction check", "zh": "满意度回访", "ru": "Проверка удовлетворённости"}),
    ("close_onboarding", 90, False, {"de": "Einführungsphase abschliessen",
     "en": "Close onboarding", "zh": "结束入网导入期", "ru": "Завершить период адаптации"}),
)  # fmt: skip
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
    tasks = [t for t in ONBOARDING_TASKS if vip or not t[2]]
    done = [t[0] for t in tasks if t[1] < day and t[0] not in skip]
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
    for task_id, due_day, _vip, titles in tasks:
        due = c.activation + timedelta(days=due_day)
        if due_day > day + 14:
            continue  # not yet on the list
        finished = None
        if task_id in done:
            finished = b.at(c.activation + timedelta(days=b.rng.randrange(due_day + 1)))
        task(b, c, case_id, f"onboarding.{task_id}", titles[lang], due, opened, finished)
        if finished:
            key = {"explain_tariff": "ob_intake", "first_callback": "ob_callback"}
            b.history(
                c,
                finished,
                "step",
                key.get(task_id, "ob_task"),
                case_id=case_id,
                rule_ids=["onboarding.task.done", f"onboarding.stage.{onboarding_stage(due_day)}"],
                payload={"process": "onboarding", "subject": "onboarding", "action": task_id},
                title=titles[lang],
            )
    if vip_rated is not None:
        titles = {
            "de": "Kundenberater zuweisen",
            "en": "Assign an account manager",
            "zh": "指派客户经理",
            "ru": "Назначить персонального менеджера",
        }
        task(
            b,
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
            task(
                b,
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


#: Channels whose claims need customer value 3 or 4 (PROCESSES.md, complaint section).
VALUE_BOUND_CHANNELS = ("billing_system", "other")


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
    """A complaint at ``route`` (routes ending the contact are closed cases).

    A claim the customer's value does not allow ends as a consultation.
    """
    channel = category.split(".")[0]
    eligible = channel not in VALUE_BOUND_CHANNELS or c.value >= 3
    all_facts: dict[str, Any] = {
        "category": category,
        "channel": channel,
        "customer_value": c.value,
        "mass_incident": route == "mass_incident",
        "first_line_resolved": False,
        "second_line_normal": True,
        "retention": {"retained": "succeeded", "claim": "impossible"}.get(route),
        "blocker": 1 if route == "claim" else None,
        "summary": summary,
    }
    all_facts.update(facts or {})
    rules = []
    if route == "claim" and not eligible:
        route = "consultation"
        rules.append("complaint.eligibility.not_eligible")
    elif route == "claim":
        kind = "claims" if channel in VALUE_BOUND_CHANNELS else "service_quality"
        rules.append(f"complaint.eligibility.{kind}.{channel}")
        if not all_facts["second_line_normal"]:
            rules.append("complaint.route.first_line_files_claim")
        all_facts["claim_no"] = f"CL-{b.today.year}-{b.next_no('claim', 4711):06d}"
    elif route == "consultation":
        all_facts["first_line_resolved"] = True
        rules.append("complaint.route.first_line_resolved")
    if route != "consultation":
        rules.insert(0, f"complaint.route.{route}")
    all_facts.update(route=route, claim=route == "claim")
    opened = b.at(b.day(days_ago))
    case_id = b.case(
        c,
        "complaint",
        category,
        route,
        opened=opened,
        facts=all_facts,
        closed=opened + timedelta(minutes=25) if route in ("consultation", "retained") else None,
        due=opened.date() + timedelta(days=3),
    )
    lang = c.agent_language
    b.history(c, opened, "call", "cmp_open", case_id=case_id,
              category=category_words(category, lang), summary=summary)  # fmt: skip
    b.history(
        c,
        opened + timedelta(minutes=12),
        "step",
        "cmp_route",
        case_id=case_id,
        rule_ids=rules,
        payload={"route": route, "claim_no": all_facts.get("claim_no")},
        route=route_words(route, lang),
    )


def complaint_summary(c: CustomerRef, topic: str) -> str:
    return _SUMMARY[c.agent_language].format(topic=topic)
