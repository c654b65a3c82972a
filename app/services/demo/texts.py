"""What the demo's history entries, SMS and tickets say, per language.

History entries are written in the words of the agent who made them (Swiss
agents write German or English, the Chinese desk Chinese, the Russian desk
Russian); SMS are in the customer's language. These are demo data stored in
the database, not the app's own interface texts.
"""

from __future__ import annotations

import re
from datetime import date

from app.i18n import format_date

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _worded(values: dict[str, object], language: str) -> dict[str, object]:
    """Days (a ``date`` or an ISO string) in ``language``'s one date format, as the
    application words them: 09.12.2026, 12/09/2026, 09.12.2026, 2026/12/9."""
    out: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):
            value = date.fromisoformat(value)
        out[key] = format_date(value, language) if isinstance(value, date) else value
    return out


#: key -> language -> template (``str.format`` placeholders).
HISTORY: dict[str, dict[str, str]] = {
    "import": {
        "de": "Kunde aus dem CRM übernommen (Partner {partner}).",
        "en": "Customer imported from the CRM (partner {partner}).",
        "zh": "客户资料已从CRM导入（合作伙伴：{partner}）。",
        "ru": "Абонент импортирован из CRM (партнёр: {partner}).",
    },
    "call_bill": {
        "de": "Anruf: Frage zur Rechnung {month}, Positionen erklärt. Kunde zufrieden.",
        "en": "Call: question about the {month} bill, items explained. Customer satisfied.",
        "zh": "来电：咨询{month}账单，已逐项解释，客户满意。",
        "ru": "Звонок: вопрос по счёту за {month}, позиции разъяснены. Абонент доволен.",
    },
    "call_roaming": {
        "de": "Anruf: Roaming für Ferien in Italien aktiviert, Tarife erklärt.",
        "en": "Call: roaming enabled for a holiday in Italy, rates explained.",
        "zh": "来电：开通国际漫游（出差尼泊尔），已说明资费。",
        "ru": "Звонок: подключён роуминг на время поездки в Турцию, тарифы разъяснены.",
    },
    "call_password": {
        "de": "Anruf: Kundenportal-Passwort zurückgesetzt nach Identifikation.",
        "en": "Call: customer portal password reset after identification.",
        "zh": "来电：核实身份后重置服务密码。",
        "ru": "Звонок: после идентификации сброшен пароль личного кабинета.",
    },
    "call_coverage": {
        "de": "Anruf: schlechter Empfang zu Hause gemeldet, Abdeckung geprüft.",
        "en": "Call: poor reception at home reported, coverage checked.",
        "zh": "来电：反映家中信号差，已查询覆盖情况。",
        "ru": "Звонок: плохая связь дома, проверено покрытие.",
    },
    "call_device": {
        "de": "Anruf: Fragen zum neuen Gerät (E-Mail einrichten), telefonisch gelöst.",
        "en": "Call: questions about the new phone (e-mail setup), solved on the phone.",
        "zh": "来电：新手机设置问题（上网设置），电话中已解决。",
        "ru": "Звонок: вопросы по новому телефону (настройка почты), решено по телефону.",
    },
    "call_tariff": {
        "de": "Anruf: Interesse an {tariff}, Angebot erklärt, Kunde überlegt sich das.",
        "en": "Call: interested in {tariff}, offer explained, customer will think about it.",
        "zh": "来电：咨询{tariff}，已介绍，客户考虑中。",
        "ru": "Звонок: интерес к тарифу «{tariff}», условия разъяснены, абонент подумает.",
    },
    "note_sms": {
        "de": "Notiz: Kunde wünscht Kontakt bevorzugt per SMS.",
        "en": "Note: customer prefers to be contacted by SMS.",
        "zh": "备注：客户希望优先通过短信联系。",
        "ru": "Заметка: абонент предпочитает связь по SMS.",
    },
    "note_moved": {
        "de": "Notiz: neue Adresse erfasst (Umzug).",
        "en": "Note: new address recorded (moved house).",
        "zh": "备注：已登记新地址（搬家）。",
        "ru": "Заметка: записан новый адрес (переезд).",
    },
    "note_callback": {
        "de": "Notiz: Rückruf vereinbart, Kunde erreichbar ab 17 Uhr.",
        "en": "Note: call-back agreed, customer reachable after 5 pm.",
        "zh": "备注：已约定回访，客户17点后方便接听。",
        "ru": "Заметка: договорились о перезвоне, абонент доступен после 17:00.",
    },
    "sms_bill": {
        "de": "SMS gesendet: Rechnung {month} verfügbar.",
        "en": "SMS sent: bill for {month} available.",
        "zh": "已发送短信：{month}账单已出。",
        "ru": "Отправлено SMS: счёт за {month} готов.",
    },
    "ticket_reception": {
        "de": "Ticket an Partner {partner}: Empfangsproblem am Wohnort prüfen.",
        "en": "Ticket to partner {partner}: check reception at the customer's home.",
        "zh": "已向合作伙伴{partner}提交工单：核查客户住处信号。",
        "ru": "Заявка партнёру {partner}: проверить качество связи по месту жительства.",
    },
    "fu_sms1": {
        "de": "Fair-Use {month}: Limiten überschritten, SMS Nr. 1 gesendet (Stufe 1).",
        "en": "Fair use {month}: over the limits, SMS no. 1 sent (stage 1).",
        "zh": "公平使用 {month}：超出限额，已发送第1条短信（第1阶段）。",
        "ru": "Fair use {month}: превышение лимитов, отправлено SMS № 1 (этап 1).",
    },
    "fu_sms2": {
        "de": "Fair-Use {month}: zweiter Monat über den Limiten, SMS Nr. 2 gesendet (Stufe 2).",
        "en": "Fair use {month}: second month over the limits, SMS no. 2 sent (stage 2).",
        "zh": "公平使用 {month}：连续第二个月超出限额，已发送第2条短信（第2阶段）。",
        "ru": "Fair use {month}: второй месяц превышения, отправлено SMS № 2 (этап 2).",
    },
    "fu_ticket2": {
        "de": "Ticket an {partner}: Kunde bitte kontaktieren (Fair-Use Stufe 2).",
        "en": "Ticket to {partner}: please contact the customer (fair use stage 2).",
        "zh": "已向{partner}提交工单：请联系客户（公平使用第2阶段）。",
        "ru": "Заявка партнёру {partner}: связаться с абонентом (fair use, этап 2).",
    },
    "fu_decision3": {
        "de": "Fair-Use Stufe 3: Produkte geprüft, Entscheid {measure} per {effective}.",
        "en": "Fair use stage 3: products reviewed, decision {measure} effective {effective}.",
        "zh": "公平使用第3阶段：已审核产品，决定{measure}，生效日期{effective}。",
        "ru": "Fair use, этап 3: продукты проверены, решение — {measure} с {effective}.",
    },
    "fu_sms_sent": {
        "de": "SMS Nr. {number} an {msisdn} gesendet.",
        "en": "SMS no. {number} sent to {msisdn}.",
        "zh": "已向{msisdn}发送第{number}条短信。",
        "ru": "SMS № {number} отправлено на {msisdn}.",
    },
    "fu_review": {
        "de": "Fair-Use Stufe 3: Produkte ({products}) und Umsatz geprüft.",
        "en": "Fair use stage 3: products ({products}) and revenue reviewed.",
        "zh": "公平使用第3阶段：已审核产品（{products}）及收入。",
        "ru": "Fair use, этап 3: проверены продукты ({products}) и выручка.",
    },
    "fu_ticket3": {
        "de": "Ticket an {partner}: Entscheid {measure} mit Begründung.",
        "en": "Ticket to {partner}: decision {measure} with its justification.",
        "zh": "已向{partner}提交工单：决定{measure}及理由。",
        "ru": "Заявка партнёру {partner}: решение — {measure}, с обоснованием.",
    },
    "fu_letter": {
        "de": "Schreiben ({measure}) an Partner {partner} gesendet.",
        "en": "Letter ({measure}) sent to partner {partner}.",
        "zh": "已将通知书（{measure}）发送给合作伙伴{partner}。",
        "ru": "Уведомление ({measure}) отправлено партнёру {partner}.",
    },
    "fu_execute": {
        "de": "Massnahme umgesetzt: {measure} per {effective}.",
        "en": "Measure carried out: {measure} effective {effective}.",
        "zh": "已执行措施：{measure}，{effective}生效。",
        "ru": "Мера выполнена: {measure} с {effective}.",
    },
    "fu_disagree": {
        "de": "Partner {partner} ist mit dem Entscheid nicht einverstanden: Mehrverbrauch "
        "ab {date} an Partner verrechnet, Meldung an Controlling.",
        "en": "Partner {partner} disagrees with the decision: usage above the limits billed "
        "to the partner from {date}, reported to Controlling.",
        "zh": "合作伙伴{partner}不同意该决定：自{date}起超额使用费用由合作伙伴承担，"
        "已上报财务稽核。",
        "ru": "Партнёр {partner} не согласен с решением: превышение с {date} выставляется "
        "партнёру, передано в контроллинг.",
    },
    "exp_month": {
        "de": "Erinnerungs-SMS gesendet: «{bundle}» endet am {end} (1 Monat vorher).",
        "en": "Reminder SMS sent: “{bundle}” ends on {end} (one month before).",
        "zh": "已发送到期提醒短信：「{bundle}」将于{end}到期（提前一个月）。",
        "ru": "Отправлено SMS-напоминание: «{bundle}» заканчивается {end} (за месяц).",
    },
    "exp_week": {
        "de": "Erinnerungs-SMS gesendet: «{bundle}» endet am {end} (7 Tage vorher).",
        "en": "Reminder SMS sent: “{bundle}” ends on {end} (seven days before).",
        "zh": "已发送到期提醒短信：「{bundle}」将于{end}到期（提前7天）。",
        "ru": "Отправлено SMS-напоминание: «{bundle}» заканчивается {end} (за 7 дней).",
    },
    "goodwill": {
        "de": "Beschwerde: Paket «{bundle}» ohne Erinnerung ausgelaufen, Kulanz geprüft.",
        "en": "Complaint: package “{bundle}” lapsed without reminder, goodwill reviewed.",
        "zh": "客户投诉：「{bundle}」到期自动取消且未收到提醒，产生大量流量费，要求返还。",
        "ru": "Жалоба: пакет «{bundle}» закончился без напоминания, рассмотрена компенсация.",
    },
    "contract_upgrade": {
        "de": "Upgrade auf {tariff} per {effective}.",
        "en": "Upgrade to {tariff} effective {effective}.",
        "zh": "升档至{tariff}，{effective}生效。",
        "ru": "Повышение тарифа до «{tariff}» с {effective}.",
    },
    "contract_downgrade": {
        "de": "Downgrade gewünscht: abgelehnt (90 Tage nach Upgrade), frühestens {earliest}. "
        "Ticket an Kundendienst erstellt.",
        "en": "Downgrade requested: refused (90 days after an upgrade), earliest {earliest}. "
        "Ticket to customer service opened.",
        "zh": "客户申请降档：升档后90天内不可降档，最早{earliest}，已转客服工单。",
        "ru": "Запрошено понижение тарифа: отказ (90 дней после повышения), не ранее "
        "{earliest}. Создана заявка в отдел обслуживания.",
    },
    "contract_cancel": {
        "de": "Kündigung durch Kunde erfasst, wirksam per {effective}; Geräteplan beendet.",
        "en": "Cancellation by the customer recorded, effective {effective}; device plan ended.",
        "zh": "客户申请解约，{effective}生效；购机分期计划同时终止。",
        "ru": "Расторжение по заявлению абонента, с {effective}; рассрочка закрыта.",
    },
    "ob_intake": {
        "de": "Einführungsphase: Tarif und Vertragsbedingungen erklärt, Broschüre übergeben.",
        "en": "Onboarding: tariff and contract terms explained, guide booklet handed over.",
        "zh": "入网辅导：已讲解资费及协议要点，已发放服务指南。",
        "ru": "Адаптация: разъяснены тариф и условия договора, выдана памятка.",
    },
    "ob_callback": {
        "de": "Rückruf Einführungsphase: Daten geprüft, Fragen zur Nutzung beantwortet.",
        "en": "Onboarding call-back: details verified, usage questions answered.",
        "zh": "入网回访：已核实资料，解答使用疑问。",
        "ru": "Обратный звонок: данные проверены, вопросы по использованию разъяснены.",
    },
    "ob_task": {
        "de": "Einführungsphase: «{title}» erledigt.",
        "en": "Onboarding: “{title}” done.",
        "zh": "入网导入期：「{title}」已完成。",
        "ru": "Адаптация: «{title}» — выполнено.",
    },
    "ob_vip": {
        "de": "Kunde als VIP eingestuft (Kundenwert {value}).",
        "en": "Customer rated VIP (customer value {value}).",
        "zh": "客户评定为VIP（客户价值{value}）。",
        "ru": "Абонент получил статус VIP (ценность {value}).",
    },
    "cmp_open": {
        "de": "Beschwerde erfasst ({category}): {summary}",
        "en": "Complaint recorded ({category}): {summary}",
        "zh": "已登记投诉（{category}）：{summary}",
        "ru": "Зарегистрировано обращение ({category}): {summary}",
    },
    "cmp_route": {
        "de": "Beschwerde weitergeleitet: {route}.",
        "en": "Complaint routed: {route}.",
        "zh": "投诉处理流转：{route}。",
        "ru": "Обращение направлено: {route}.",
    },
    "correction": {
        "de": "Korrektur zum vorherigen Eintrag: Rückruf war am Vormittag, nicht am Abend.",
        "en": "Correction of the previous entry: the call-back was in the morning, not evening.",
        "zh": "更正上一条记录：回访时间为上午，而非晚上。",
        "ru": "Исправление предыдущей записи: перезвон был утром, а не вечером.",
    },
}

#: Generic contact kinds for background history: (key, entry kind, weight).
BACKGROUND: tuple[tuple[str, str, int], ...] = (
    ("call_bill", "call", 6),
    ("call_roaming", "call", 2),
    ("call_password", "call", 2),
    ("call_coverage", "call", 2),
    ("call_device", "call", 3),
    ("call_tariff", "call", 2),
    ("note_sms", "note", 1),
    ("note_moved", "note", 1),
    ("note_callback", "note", 2),
    ("sms_bill", "sms", 5),
    ("ticket_reception", "ticket", 1),
)

#: SMS texts in the customer's language.
SMS: dict[str, dict[str, str]] = {
    "fair_use.sms_1": {
        "de": "Guten Tag, Ihr Verbrauch im {month} lag über den Fair-Use-Limiten Ihres Abos. "
        "Fragen? Kundendienst 0800 800 800.",
        "en": "Hello, your usage in {month} exceeded the fair-use limits of your "
        "subscription. Questions? Customer service 0800 800 800.",
        "zh": "尊敬的客户，您{month}的使用量已超出套餐公平使用限额。如有疑问请致电10086。",
        "ru": "Уважаемый абонент, в {month} ваше потребление превысило лимиты политики "
        "справедливого использования. Вопросы: 0890.",
    },
    "fair_use.sms_2": {
        "de": "Guten Tag, Ihr Verbrauch lag den zweiten Monat in Folge über den Fair-Use-"
        "Limiten. Ihr Partner wird Sie kontaktieren.",
        "en": "Hello, your usage exceeded the fair-use limits for the second month in a row. "
        "Your partner will contact you.",
        "zh": "尊敬的客户，您已连续两个月超出公平使用限额，代理商将与您联系。",
        "ru": "Уважаемый абонент, лимиты превышены второй месяц подряд. С вами свяжется партнёр.",
    },
    "expiry.month": {
        "de": "Ihr «{bundle}» endet am {end}. Danach gelten die Standardtarife. Verlängern: "
        "Kundenportal oder 0800 800 800.",
        "en": "Your “{bundle}” ends on {end}. Standard rates apply afterwards. Renew in the "
        "customer portal or call 0800 800 800.",
        "zh": "您的「{bundle}」将于{end}到期，到期后按标准资费收费。续订请回复KT或致电10086。",
        "ru": "Ваш «{bundle}» заканчивается {end}. Далее действуют стандартные тарифы. "
        "Продлить: личный кабинет или 0890.",
    },
    "expiry.week": {
        "de": "Erinnerung: Ihr «{bundle}» endet in 7 Tagen ({end}). Danach Gebühren "
        "ausserhalb des Pakets.",
        "en": "Reminder: your “{bundle}” ends in 7 days ({end}). Out-of-bundle charges apply "
        "afterwards.",
        "zh": "温馨提示：您的「{bundle}」将在7天后（{end}）到期，到期后将按套餐外资费计费。",
        "ru": "Напоминание: ваш «{bundle}» заканчивается через 7 дней ({end}). Далее — "
        "плата сверх пакета.",
    },
}


def history_text(key: str, language: str, **values: object) -> str:
    """The history text ``key`` in ``language`` (German when missing)."""
    table = HISTORY[key]
    return table.get(language, table["de"]).format(**_worded(values, language))


def sms_text(template_id: str, language: str, **values: object) -> str:
    return SMS[template_id][language].format(**_worded(values, language))
