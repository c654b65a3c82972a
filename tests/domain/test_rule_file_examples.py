"""Every ``[[examples]]`` entry of every shipped rule file, run through the JSON adapter."""

from __future__ import annotations

import pytest

from app.services.rules import load_ruleset
from app.services.rules_api import InputError, evaluate

RULESET = load_ruleset()
CASES = RULESET.examples()


def test_every_rule_file_has_examples() -> None:
    files = {file for file, _process, _example in CASES}
    assert files == {
        "fair_use.toml",
        "expiry.toml",
        "goodwill.toml",
        "contract.toml",
        "onboarding.toml",
        "complaint.toml",
    }


@pytest.mark.parametrize(
    ("file", "process", "example"),
    CASES,
    ids=[f"{file}:{example.name}" for file, _p, example in CASES],
)
def test_rule_file_example(file: str, process: str, example) -> None:
    expected = example.output_data()
    if "error" in expected:
        with pytest.raises(InputError) as caught:
            evaluate(process, example.input_data(), RULESET)
        assert caught.value.field == expected["error"]["field"]
        if "message" in expected["error"]:
            assert caught.value.message == expected["error"]["message"]
    else:
        assert evaluate(process, example.input_data(), RULESET) == expected
