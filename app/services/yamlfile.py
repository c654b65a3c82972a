"""YAML as policy authors write it, read defensively.

:func:`load_yaml` is ``yaml.safe_load`` with the limits an edited file needs:
a key given twice in one mapping is an error (YAML would silently keep the
last), nesting is bounded (deep nesting would exhaust the stack), and so is
the size a document grows to when its aliases are expanded (a few lines of
anchors can otherwise stand for billions of nodes). Every problem is a
``yaml.MarkedYAMLError`` with the line and column it is at, like a syntax
error.

A file is read by libyaml's C parser when PyYAML has it (ten times faster:
the five playbooks in 40 ms instead of 0.4 s), after a pass over its events
that bounds the nesting before anything recurses. Any problem found that way
is read again by the pure-Python loader, so a bad file is described in the
same words, with the same line and column, either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_DEPTH", "MAX_NODES", "line_of", "load_yaml", "load_yaml_with_nodes"]

#: How deeply collections may nest (the shipped playbooks: about 12 levels).
MAX_DEPTH = 64
#: How many nodes a document may have once its aliases are expanded.
MAX_NODES = 1_000_000


def _refuse_duplicate_keys(node: MappingNode) -> None:
    seen: dict[tuple[str, str], Node] = {}
    for key_node, _value in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = (key_node.tag, key_node.value)
        if key in seen:
            first = seen[key].start_mark
            raise ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"key {key_node.value!r} is given twice (first at line {first.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` refusing duplicate keys, deep nesting and alias bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        _refuse_duplicate_keys(node)
        return super().construct_mapping(node, deep=deep)

    def get_single_data(self) -> Any:
        return self.load()[0]

    def load(self) -> tuple[Any, Node | None]:
        """The document's data and its node tree (which knows every value's line)."""
        return _construct(self, self.get_single_node())


def _construct(loader: Any, node: Node | None) -> tuple[Any, Node | None]:
    if node is None:
        return None, None
    if _expanded_size(node) > MAX_NODES:
        raise ComposerError(
            None,
            None,
            f"its aliases expand to more than {MAX_NODES} values",
            node.start_mark,
        )
    return loader.construct_document(node), node


if yaml.__with_libyaml__:

    class _FastLoader(yaml.CSafeLoader):
        """libyaml's parser with :class:`BoundedLoader`'s checks; raises on any problem
        without caring for its words (:func:`load_yaml_with_nodes` reads it again)."""

        def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
            _refuse_duplicate_keys(node)
            return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _nesting_within_bound(text: str) -> bool:
    """Whether no collection of ``text`` nests deeper than :data:`MAX_DEPTH` (by events,
    which libyaml produces without recursing)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return True


def _fast_load(text: str) -> tuple[Any, Node | None]:
    if not _nesting_within_bound(text):
        raise ComposerError(None, None, "nested too deeply", None)
    loader = _FastLoader(text)
    try:
        return _construct(loader, loader.get_single_node())
    finally:
        loader.dispose()


def _expanded_size(root: Node) -> int:
    """How many nodes ``root`` stands for with every alias expanded (linear time).

    A node that contains itself (``&a [*a]``) counts as too many.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_NODES + 1)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            return MAX_NODES + 1
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children)
    return sizes[id(root)]


def load_yaml(text: str) -> Any:
    """Parse one YAML document; ``yaml.YAMLError`` (with line and column) when it is bad."""
    return load_yaml_with_nodes(text)[0]


def load_yaml_with_nodes(text: str) -> tuple[Any, Node | None]:
    """:func:`load_yaml`, and the node tree for :func:`line_of`."""
    if yaml.__with_libyaml__:
        try:
            return _fast_load(text)
        except yaml.YAMLError:
            pass  # described below, in the pure-Python loader's words
    loader = BoundedLoader(text)
    try:
        return loader.load()
    finally:
        loader.dispose()


def line_of(root: Node | None, path: Sequence[str | int]) -> int | None:
    """The line (from 1) of the value at ``path``, or of the deepest part of it that exists.

    A path part that is not an index of a list picks the list's mapping whose
    ``id`` is that part (``flows.stage_1.steps.sms``).
    """
    node = root
    for part in path:
        found: Node | None = None
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == str(part):
                    found = value
                    break
        elif isinstance(node, SequenceNode):
            if isinstance(part, int) and 0 <= part < len(node.value):
                found = node.value[part]
            else:
                for item in node.value:
                    if isinstance(item, MappingNode) and any(
                        isinstance(k, ScalarNode) and k.value == "id" and
                        isinstance(v, ScalarNode) and v.value == str(part)
                        for k, v in item.value
                    ):  # fmt: skip
                        found = item
                        break
        if found is None:
            break
        node = found
    return None if node is None else node.start_mark.line + 1
