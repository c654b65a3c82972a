"""Letter template files as an operator may get them wrong: never a traceback, never a hang.

Whatever a template file holds (a value of the wrong kind anywhere, deep
nesting, aliases, huge texts, nested expressions), loading it either works or
raises :class:`LetterTemplateError` whose message names the file and the key,
within a bounded time; a template that loads renders or fails the same way.
"""

from __future__ import annotations

import copy
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.letters.context import ContextError
from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.letters.sandbox import MAX_TEXT, LetterTemplateError
from app.letters.templates import COMMON_FILE, MAX_FILE_BYTES, letters_folder, load_template

DOCUMENT = "goodwill_credit"  # has every kind of block: facts, table with total, conditions
SOURCE = yaml.safe_load((letters_folder() / f"{DOCUMENT}.yaml").read_text(encoding="utf-8"))
COMMON = yaml.safe_load((letters_folder() / COMMON_FILE).read_text(encoding="utf-8"))
#: Loading and rendering one template takes well under a second; a hang is a defect.
SECONDS = 10


def _folder(
    tmp: Path, document: Any = None, *, text: str | None = None, common: Any = None
) -> Path:
    for name in ("operator.toml", "logo.png", "partners.toml"):
        if (letters_folder() / name).exists():
            shutil.copy(letters_folder() / name, tmp / name)
    (tmp / COMMON_FILE).write_text(
        yaml.safe_dump(COMMON if common is None else common, allow_unicode=True), encoding="utf-8"
    )
    body = text if text is not None else yaml.safe_dump(document, allow_unicode=True)
    (tmp / f"{DOCUMENT}.yaml").write_text(body, encoding="utf-8")
    return tmp


def _load_and_render(folder: Path) -> str | None:
    """None if the template loads and renders; else the error message. No other exception.

    A template problem names the file; the sample facts may no longer fit a
    changed template (a :class:`ContextError` naming the placeholder), and
    that is a clean refusal too.
    """
    load_template.cache_clear()
    started = time.perf_counter()
    try:
        load_template(DOCUMENT, folder)
        render_letter(DOCUMENT, "de", sample_context(DOCUMENT, "de"), folder=folder)
    except ContextError:
        message = None
    except LetterTemplateError as exc:
        message = str(exc)
        assert _names_file(message), message
    else:
        message = None
    finally:
        load_template.cache_clear()
    assert time.perf_counter() - started < SECONDS
    return message


def _names_file(message: str) -> bool:
    return message.startswith((f"{DOCUMENT}.yaml", COMMON_FILE)) or f"{DOCUMENT}.yaml" in message


# --- the cases found by hand --------------------------------------------------------------


def test_body_of_the_wrong_kind_names_file_language_and_key(tmp_path: Path) -> None:
    document = copy.deepcopy(SOURCE)
    document["de"]["body"] = 5
    message = _load_and_render(_folder(tmp_path, document))
    assert message == f"{DOCUMENT}.yaml, de, body: expected a list of blocks, got int 5"


def test_deep_nesting_is_refused_naming_the_line(tmp_path: Path) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    text = yaml.safe_dump(SOURCE, allow_unicode=True) + f"extra: {deep}\n"
    message = _load_and_render(_folder(tmp_path, text=text))
    assert message is not None and message.startswith(f"{DOCUMENT}.yaml, line ")
    assert "nested deeper than" in message


def test_a_huge_subject_is_refused_at_once(tmp_path: Path) -> None:
    document = copy.deepcopy(SOURCE)
    document["de"]["subject"] = "Gutschrift " * 100_000  # 1.1 MB
    started = time.perf_counter()
    message = _load_and_render(_folder(tmp_path, document))
    assert time.perf_counter() - started < 2
    assert message is not None and _names_file(message)
    assert f"larger than {MAX_FILE_BYTES // 1000} kB" in message


def test_a_long_subject_within_the_file_size_names_the_key(tmp_path: Path) -> None:
    document = copy.deepcopy(SOURCE)
    document["de"]["subject"] = "x" * (MAX_TEXT + 1)
    message = _load_and_render(_folder(tmp_path, document))
    assert message is not None and _names_file(message) and "at most" in message


def test_nested_expressions_are_refused(tmp_path: Path) -> None:
    document = copy.deepcopy(SOURCE)
    document["de"]["subject"] = "{{ " + "(" * 600 + "customer.name" + ")" * 600 + " }}"
    message = _load_and_render(_folder(tmp_path, document))
    assert message == f"{DOCUMENT}.yaml, de, subject: brackets nested 600 deep; at most 12"
    document["de"]["subject"] = "{{ " + "not " * 480 + "customer.name }}"
    message = _load_and_render(_folder(tmp_path, document))
    assert message is not None and message.startswith(f"{DOCUMENT}.yaml, de, subject: ")


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for name, previous in zip("bcdefgh", "abcdefg", strict=True):
        bomb += f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    text = yaml.safe_dump(SOURCE, allow_unicode=True) + bomb
    message = _load_and_render(_folder(tmp_path, text=text))
    assert message is not None and "stands for more than" in message


# --- fuzzing ---------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "{{ customer.name }}",
            "{{ customer.__class__ }}",
            "{% for x in months %}{{ x }}{% endfor %}",
            "{{ (((customer.name))) | upper }}",
            "{{ nothing.here }}",
            "{{",
            "x" * (MAX_TEXT + 5),
            "left",
            "months",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = [p for p in _paths(SOURCE) if p]
COMMON_PATHS = [p for p in _paths(COMMON) if p]


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    result = copy.deepcopy(document)
    node = result
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return result


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(PATHS), value=values)
def test_any_value_anywhere_in_a_template_is_loaded_or_refused_naming_the_file(
    tmp_path: Path, path: tuple[Any, ...], value: Any
) -> None:
    folder = _folder(tmp_path, _replace(SOURCE, path, value))
    _load_and_render(folder)  # loads, or is refused naming the file; nothing else


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(COMMON_PATHS), value=values)
def test_any_value_anywhere_in_common_yaml_is_loaded_or_refused_naming_the_file(
    tmp_path: Path, path: tuple[Any, ...], value: Any
) -> None:
    _load_and_render(_folder(tmp_path, SOURCE, common=_replace(COMMON, path, value)))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(alphabet=st.sampled_from(list("[]{}:,-&*!|>'\"#% \n\tab1")), max_size=300))
def test_any_text_as_a_template_file_is_refused_cleanly(tmp_path: Path, text: str) -> None:
    message = _load_and_render(_folder(tmp_path, text=text))
    assert message is not None and _names_file(message)


@pytest.mark.parametrize("document", ["welcome", "contract_cancellation", "goodwill_credit"])
def test_the_shipped_templates_are_within_every_bound(document: str) -> None:
    load_template.cache_clear()
    assert load_template(document).id == document
