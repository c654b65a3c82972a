"""The :class:`RuleSet`: every process's validated rule tables, loaded together.

Loading is pure: the service layer reads the TOML files and hands their
mappings to :meth:`RuleSet.from_mappings`. Each file carries its own version
and the date from which it applies; a decision records the version of the file
it used. ``valid_from`` is informative: the rules answer for any date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.rule_schema import Example, RuleFile, RuleFileError, load_rule_file
from app.domain.rule_tables import (
    ComplaintRules,
    ContractRules,
    ExpiryRules,
    FairUseRules,
    GoodwillRules,
    OnboardingRules,
)

__all__ = ["PROCESS_OF_FILE", "RULE_FILES", "RuleFileError", "RuleSet"]

#: Rule file name -> its model, in the order the processes are usually listed.
RULE_FILES: dict[str, type[RuleFile]] = {
    "fair_use.toml": FairUseRules,
    "expiry.toml": ExpiryRules,
    "goodwill.toml": GoodwillRules,
    "contract.toml": ContractRules,
    "onboarding.toml": OnboardingRules,
    "complaint.toml": ComplaintRules,
}


@dataclass(frozen=True)
class RuleSet:
    """The rule tables of all processes, as one loaded, validated set."""

    fair_use: FairUseRules
    expiry: ExpiryRules
    goodwill: GoodwillRules
    contract: ContractRules
    onboarding: OnboardingRules
    complaint: ComplaintRules

    @classmethod
    def from_mappings(cls, files: Mapping[str, Mapping[str, Any]]) -> RuleSet:
        """Validate the parsed rule files (file name -> mapping)."""
        loaded: dict[str, RuleFile] = {}
        for file, model in RULE_FILES.items():
            if file not in files:
                raise RuleFileError(file, "", "rule file is missing")
            loaded[file.removesuffix(".toml")] = load_rule_file(model, file, files[file])
        return cls(**loaded)  # type: ignore[arg-type]

    @property
    def versions(self) -> dict[str, str]:
        """Rule file name -> version, for display and history entries."""
        return {file: getattr(self, file.removesuffix(".toml")).version for file in RULE_FILES}

    @property
    def version(self) -> str:
        """One version string for the whole set: the common version, or the
        per-file versions when the files differ."""
        versions = self.versions
        distinct = set(versions.values())
        if len(distinct) == 1:
            return distinct.pop()
        return ",".join(f"{file.removesuffix('.toml')}={v}" for file, v in versions.items())

    def examples(self) -> list[tuple[str, str, Example]]:
        """Every example of every file: (file, process name, example)."""
        out: list[tuple[str, str, Example]] = []
        for file in RULE_FILES:
            rules = getattr(self, file.removesuffix(".toml"))
            process = PROCESS_OF_FILE[file]
            out.extend((file, process, example) for example in rules.examples)
        return out


#: Rule file -> the process name of ``agent-assist rules``.
PROCESS_OF_FILE: dict[str, str] = {
    "fair_use.toml": "fair-use",
    "expiry.toml": "expiry",
    "goodwill.toml": "goodwill",
    "contract.toml": "contract",
    "onboarding.toml": "onboarding",
    "complaint.toml": "complaint",
}
