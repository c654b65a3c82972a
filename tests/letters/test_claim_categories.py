"""The claim letter words every complaint category the rules know, and no other."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.resources import resource_path
from app.services.rules import load_ruleset


def test_claim_letter_categories_are_the_complaint_rule_categories() -> None:
    rules = load_ruleset().complaint
    expected = {
        f"{channel.id}.{category.id}"
        for channel in rules.channels
        for category in channel.categories
    }
    template = yaml.safe_load(
        Path(resource_path("letters", "claim_acknowledgement.yaml")).read_text("utf-8")
    )
    for language in ("de", "en", "ru", "zh"):
        worded = set(template[language]["terms"]["category"])
        assert worded == expected, language
