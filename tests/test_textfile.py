"""Rule files and playbooks are read alike: bounded, UTF-8, each problem naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.playbook_schema import PlaybookError
from app.domain.ruleset import RuleFileError
from app.services import playbooks, rules
from app.services.textfile import read_text


class ProblemError(Exception):
    pass


def test_read_text_gives_the_text_or_one_sentence(tmp_path: Path) -> None:
    good = tmp_path / "a.toml"
    good.write_text("x = 'Zürich'\n", encoding="utf-8")
    assert read_text(good, 100, ProblemError) == "x = 'Zürich'\n"
    with pytest.raises(ProblemError, match=r"^larger than 5 bytes$"):
        read_text(good, 5, ProblemError)
    with pytest.raises(ProblemError, match=rf"^rule file is missing from {tmp_path}$"):
        read_text(tmp_path / "gone.toml", 100, ProblemError, "rule file")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("x = 'Zürich'".encode("latin-1"))
    with pytest.raises(ProblemError, match=r"^cannot be read \(.*utf-8.*\)$"):
        read_text(latin, 100, ProblemError)
    with pytest.raises(ProblemError, match=r"^cannot be read \("):
        read_text(tmp_path, 10**9, ProblemError)  # a folder


def test_rule_files_and_playbooks_wrap_it_in_their_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "fair_use.toml"
    big.write_text("# " + "x" * 100 + "\n", encoding="utf-8")
    monkeypatch.setattr(rules, "MAX_RULE_FILE_BYTES", 50)
    with pytest.raises(RuleFileError) as rule_error:
        rules._read_toml(big)
    assert str(rule_error.value) == "fair_use.toml: larger than 50 bytes"
    with pytest.raises(RuleFileError) as missing:
        rules._read_toml(tmp_path / "expiry.toml")
    assert str(missing.value) == f"expiry.toml: rule file is missing from {tmp_path}"

    monkeypatch.setattr(playbooks, "MAX_PLAYBOOK_BYTES", 50)
    with pytest.raises(PlaybookError) as playbook_error:
        playbooks.read_playbook(big.rename(tmp_path / "fair_use.yaml"))
    assert (playbook_error.value.file, playbook_error.value.problem) == (
        "fair_use.yaml",
        "larger than 50 bytes",
    )
    with pytest.raises(PlaybookError) as gone:
        playbooks.read_playbook(tmp_path / "expiry.yaml")
    assert gone.value.problem == f"file is missing from {tmp_path}"
