"""The playbooks' YAML reader: libyaml's speed, the pure-Python loader's checks and words.

Every shipped playbook reads the same data with the same lines by either
parser; a bad file is refused by the fast path and described exactly as the
pure-Python loader describes it (a key given twice, deep nesting, an alias
bomb, broken syntax), and deep nesting never reaches a recursive parser.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from app.services import yamlfile
from app.services.playbooks import PROCESSES, default_playbooks_dir
from app.services.yamlfile import BoundedLoader, line_of, load_yaml_with_nodes

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

SHIPPED = [default_playbooks_dir() / f"{process}.yaml" for process in PROCESSES]
BAD = {
    "key twice": "a: 1\nb:\n  c: 2\n  c: 3\n",
    "deep nesting": "[" * 10_000 + "]" * 10_000,
    "deep mapping": "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "x\n",
    "alias bomb": "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
    ),
    "syntax": "steps:\n  - id: one\n   text: [unclosed\n",
    "two documents": "a: 1\n---\nb: 2\n",
}


def _pure(text: str) -> tuple[Any, Any]:
    loader = BoundedLoader(text)
    try:
        return loader.load()
    finally:
        loader.dispose()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_playbook_reads_the_same_by_either_parser(path) -> None:
    text = path.read_text("utf-8")
    fast, fast_root = load_yaml_with_nodes(text)
    pure, pure_root = _pure(text)
    assert fast == pure
    for key in fast:
        assert line_of(fast_root, [key]) == line_of(pure_root, [key])
    flows = fast.get("flows") or []
    for flow in flows if isinstance(flows, list) else []:
        for step in flow.get("steps", []):
            place = ["flows", flow["id"], "steps", step["id"]]
            assert line_of(fast_root, place) == line_of(pure_root, place)


def test_the_shipped_playbooks_are_read_by_libyaml(monkeypatch) -> None:
    def refuse(self: BoundedLoader, text: str) -> None:
        raise AssertionError("the pure-Python loader read a good file")

    monkeypatch.setattr(BoundedLoader, "__init__", refuse)
    for path in SHIPPED:
        data, _root = load_yaml_with_nodes(path.read_text("utf-8"))
        assert data


@pytest.mark.parametrize("name", BAD)
def test_a_bad_file_is_described_in_the_pure_loaders_words(name: str) -> None:
    text = BAD[name]
    with pytest.raises(yaml.YAMLError) as fast:
        yamlfile._fast_load(text)
    with pytest.raises(yaml.YAMLError) as pure:
        _pure(text)
    with pytest.raises(yaml.YAMLError) as read:
        load_yaml_with_nodes(text)
    assert str(read.value) == str(pure.value)
    assert type(read.value) is type(pure.value)
    assert fast.value is not None
