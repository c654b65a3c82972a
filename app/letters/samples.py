"""Representative letter contexts from ``resources/letters/samples.yaml``.

Used by ``agent-assist letters samples`` (every document in every language,
so an operator reviews a template change at a glance) and by the tests. No
database is needed. A document whose sample has a ``plan`` but no
``schedule`` gets its instalment table computed from the plan's figures.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.letters.context import instalment_schedule
from app.letters.templates import letters_folder

SAMPLES_FILE = "samples.yaml"


class SampleError(ValueError):
    pass


@cache
def _samples(folder: Path) -> dict[str, Any]:
    path = folder / SAMPLES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SampleError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or "customers" not in data or "documents" not in data:
        raise SampleError(f"{path}: expected 'customers' and 'documents'")
    return data


def sample_documents(folder: Path | None = None) -> tuple[str, ...]:
    """The documents that have a sample."""
    return tuple(_samples(folder or letters_folder())["documents"])


def sample_context(document: str, language: str, folder: Path | None = None) -> dict[str, Any]:
    """The sample context of ``document`` for the customer speaking ``language``."""
    data = _samples(folder or letters_folder())
    try:
        customer = data["customers"][language]
        facts = data["documents"][document]
    except KeyError as exc:
        raise SampleError(f"no sample for {document} in {language!r}: {exc}") from None
    context = _deep_merge(copy.deepcopy(customer), facts.get("default") or {})
    context = _deep_merge(context, facts.get(language) or {})
    plan = context.get("plan")
    if isinstance(plan, dict) and "schedule" not in context:
        context["schedule"] = instalment_schedule(
            date.fromisoformat(str(plan["first_instalment"]) + "-01"),
            Decimal(str(plan["instalment"])),
            int(plan["instalments"]),
            Decimal(str(plan["financed_amount"])),
        )
    return context


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base
