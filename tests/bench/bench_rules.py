"""How long one rules decision takes, per process (median and p99, microseconds).

    .venv/bin/python tests/bench/bench_rules.py [--iterations N]

"domain" is the pure rule function with an already loaded rule set (what the
GUI calls); "json" adds the JSON adapter of ``agent-assist rules`` (input
checks and output rendering), without process start-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.domain import complaints, contracts, expiry, fair_use, goodwill, onboarding
from app.services.rules import load_ruleset
from app.services.rules_api import evaluate

RULES = load_ruleset()
PLAN = contracts.DevicePlan(date(2025, 10, 3), Decimal(99), Decimal(720), Decimal(30), 5)

DOMAIN: dict[str, Callable[[], object]] = {
    "contract": lambda: contracts.evaluate(
        contracts.ContractRequest(
            "activate",
            date(2026, 4, 16),
            contracts.Subscription(Decimal("49.00"), Decimal("10.00"), {"data_mb": 10240}),
            device_plan=PLAN,
        ),
        RULES.contract,
    ),
    "fair-use": lambda: fair_use.evaluate(
        fair_use.FairUseCase(
            date(2026, 3, 1),
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
            decision=fair_use.MeasureDecision(date(2026, 3, 12), "termination", False),
        ),
        RULES.fair_use,
    ),
    "expiry": lambda: expiry.evaluate(
        date(2026, 6, 25),
        [expiry.Bundle(f"b{i}", date(2026, 6, 20 + i), frozenset({"month"})) for i in range(5)],
        RULES.expiry,
    ),
    "goodwill": lambda: goodwill.evaluate(
        Decimal("5.00"),
        Decimal("100.00"),
        [
            goodwill.DisputedMonth(date(2010, 1, 1), Decimal("67.38"), Decimal("13.28")),
            goodwill.DisputedMonth(date(2010, 2, 1), Decimal("100.00"), Decimal("173.82")),
        ],
        RULES.goodwill,
    ),
    "onboarding": lambda: onboarding.evaluate(
        onboarding.OnboardingCase(
            date(2026, 3, 1),
            date(2026, 3, 9),
            vip_rated=date(2026, 3, 2),
            manager_assigned=date(2026, 3, 3),
            done=("explain_tariff", "contract_terms"),
        ),
        RULES.onboarding,
    ),
    "complaint": lambda: complaints.evaluate(
        complaints.ComplaintCase(
            "billing_system.balance_desync", 3, retention="impossible", blocker=2
        ),
        RULES.complaint,
    ),
}

PAYLOADS: dict[str, Any] = {
    "contract": {
        "action": "activate",
        "date": "2026-04-16",
        "subscription": {"monthly_fee": "49.00", "aio_discount": "10.00", "allowances": {}},
        "device_plan": {
            "activated": "2025-10-03",
            "down_payment": "99.00",
            "financed_amount": "720.00",
            "instalment": "30.00",
            "instalments_billed": 5,
        },
    },
    "fair-use": {
        "month": "2026-03",
        "exceeded_months": ["2026-01", "2026-02", "2026-03"],
        "mobile_tv": False,
        "combo": False,
        "decision": {"date": "2026-03-12", "measure": "termination", "partner_agrees": False},
    },
    "expiry": {
        "today": "2026-06-25",
        "bundles": [
            {"id": f"b{i}", "end_date": f"2026-06-{20 + i}", "sent": ["month"]} for i in range(5)
        ],
    },
    "goodwill": {
        "package_fee": "5.00",
        "minimum_spend": "100.00",
        "months": [
            {"month": "2010-01", "other_charges": "67.38", "out_of_bundle_data": "13.28"},
            {"month": "2010-02", "other_charges": "100.00", "out_of_bundle_data": "173.82"},
        ],
    },
    "onboarding": {
        "activation_date": "2026-03-01",
        "today": "2026-03-09",
        "vip_rated": "2026-03-02",
        "manager_assigned": "2026-03-03",
        "manager_first_contact": None,
        "done": ["explain_tariff", "contract_terms"],
    },
    "complaint": {
        "category": "billing_system.balance_desync",
        "customer_value": 3,
        "mass_incident": False,
        "first_line_resolved": False,
        "second_line_normal": True,
        "retention": "impossible",
        "blocker": 2,
    },
}


def measure(call: Callable[[], object], iterations: int) -> tuple[float, float]:
    """Median and p99 of one call, in microseconds."""
    for _ in range(min(iterations, 200)):  # warm up
        call()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        call()
        samples.append((clock() - start) / 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(f"{'process':<12}{'domain median':>15}{'p99':>9}{'json median':>14}{'p99':>9}  (µs)")
    for process, call in DOMAIN.items():
        payload = PAYLOADS[process]
        d_med, d_p99 = measure(call, args.iterations)
        j_med, j_p99 = measure(lambda p=process, x=payload: evaluate(p, x, RULES), args.iterations)
        print(f"{process:<12}{d_med:>15.1f}{d_p99:>9.1f}{j_med:>14.1f}{j_p99:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
