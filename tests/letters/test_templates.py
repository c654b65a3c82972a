"""Templates operators edit: unknown placeholders and code are refused, contexts are checked."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from app.letters.context import ContextError
from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.letters.sandbox import LetterTemplateError, UnknownPlaceholderError
from app.letters.templates import letters_folder, load_template
from tests.letters.helpers import LANGS, normalize, pdf_text

BASE = {
    "id": "note",
    "version": "7",
    "recipient": "customer",
    "placeholders": {"note": {"amount": "money", "due": "date", "remark?": "text"}},
}


def _folder(tmp_path: Path, texts: dict[str, dict], **top: object) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir(exist_ok=True)
    for name in ("operator.toml", "common.yaml", "logo.png"):
        shutil.copy(letters_folder() / name, folder / name)
    doc = {**BASE, **top, **texts}
    (folder / "note.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def _texts(body: list, **extra: object) -> dict[str, dict]:
    return {
        lang: {"title": "Note", "subject": "Note {{ note.due | date }}", "body": body, **extra}
        for lang in LANGS
    }


def _context() -> dict:
    context = sample_context("welcome", "de")
    context["note"] = {"amount": "12.50", "due": "2026-04-30"}
    return context


def test_a_valid_custom_template_renders(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _texts(["Pay {{ note.amount | money }} by {{ note.due | date }}."]))
    template = load_template("note", folder)
    assert template.version == "7"
    text = normalize(pdf_text(render_letter("note", "de", _context(), folder=folder)), "de")
    assert "Pay CHF 12.50 by 30. April 2026." in text


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Dear {{ customer.nmae }}", "customer.nmae"),
        ("{{ amount }}", "amount"),
        ("{{ note.amount.cents }}", "note.amount.cents"),
        ("{% if bonus %}x{% endif %}", "bonus"),
        ("{{ operator.password }}", "operator.password"),
    ],
)
def test_an_unknown_placeholder_is_refused_naming_it(tmp_path: Path, body: str, name: str) -> None:
    folder = _folder(tmp_path, _texts([body]))
    with pytest.raises(UnknownPlaceholderError) as info:
        load_template("note", folder)
    assert info.value.placeholder == name
    message = str(info.value)
    assert repr(name) in message and "note.yaml" in message and "body[0]" in message


def test_the_problem_names_the_language(tmp_path: Path) -> None:
    texts = _texts(["fine {{ note.amount | money }}"])
    texts["ru"] = {**texts["ru"], "subject": "Счёт {{ note.total }}"}
    with pytest.raises(
        UnknownPlaceholderError, match=r"note\.yaml, ru, subject: unknown placeholder 'note\.total'"
    ):
        load_template("note", _folder(tmp_path, texts))


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{{ ''.__class__ }}", "'__class__'"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "function call"),
        ("{{ customer.name.upper() }}", "function call"),
        ("{{ customer.__class__ }}", "'__class__' is not allowed"),
        ("{{ 'x'.upper }}", "only placeholders can be looked up"),
        ("{{ self }}", "'self'"),
        ("{{ lipsum }}", "'lipsum'"),
        ("{{ cycler.__init__.__globals__.os }}", "'__globals__' is not allowed"),
        ("{% for x in recipient.lines %}{{ x }}{% endfor %}", "a loop"),
        ("{% set x = 1 %}", "'set'"),
        ("{% include 'operator.toml' %}", "'include'"),
        ("{{ customer.name | attr('__class__') }}", "unknown filter 'attr'"),
        ("{{ customer.name | format('%s') }}", "unknown filter 'format'"),
        ("{{ customer.name", "unexpected end of template"),
    ],
)
def test_code_in_a_template_is_refused(tmp_path: Path, body: str, problem: str) -> None:
    folder = _folder(tmp_path, _texts([body]))
    with pytest.raises(LetterTemplateError) as info:
        load_template("note", folder)
    assert problem in str(info.value)


def test_the_sandbox_still_guards_rendering() -> None:
    """Even past the static check, the render environment cannot reach internals."""
    from jinja2.exceptions import SecurityError, UndefinedError

    from app.letters.sandbox import environment

    env = environment("de")
    with pytest.raises((SecurityError, UndefinedError)):
        env.from_string("{{ ''.__class__.__mro__ }}").render()
    assert "attr" not in env.filters and "format" not in env.filters
    assert not env.globals


def test_terms_must_be_the_same_in_every_language(tmp_path: Path) -> None:
    texts = _texts(["x"])
    for lang in LANGS:
        texts[lang]["terms"] = {"kind": {"a": "A", "b": "B"}}
    texts["zh"]["terms"] = {"kind": {"a": "甲"}}
    with pytest.raises(LetterTemplateError, match=r"terms\.kind differ between de and zh: b"):
        load_template("note", _folder(tmp_path, texts))


def test_a_missing_language_is_refused(tmp_path: Path) -> None:
    texts = _texts(["x"])
    del texts["zh"]
    with pytest.raises(LetterTemplateError, match="missing key 'zh'"):
        load_template("note", _folder(tmp_path, texts))


def test_an_unknown_placeholder_type_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _texts(["x"]), placeholders={"note": {"amount": "euros"}})
    with pytest.raises(
        LetterTemplateError, match=r"placeholders\.note\.amount: unknown type 'euros'"
    ):
        load_template("note", folder)


def test_a_table_must_iterate_a_list_placeholder(tmp_path: Path) -> None:
    body = [{"table": {"rows": "note.amount", "columns": [{"header": "A", "value": "{{ row }}"}]}}]
    with pytest.raises(LetterTemplateError, match=r"'note\.amount' is not a list placeholder"):
        load_template("note", _folder(tmp_path, _texts(body)))


def test_an_unknown_document_is_refused_with_the_known_ones() -> None:
    with pytest.raises(
        LetterTemplateError, match=r"unknown document 'invoice' \(known: claim_ackn"
    ):
        load_template("invoice")


# --- contexts --------------------------------------------------------------------------------


def test_a_missing_placeholder_value_is_named() -> None:
    context = sample_context("contract_cancellation", "de")
    del context["cancellation"]["effective_date"]
    with pytest.raises(ContextError, match=r"^cancellation\.effective_date: is required"):
        render_letter("contract_cancellation", "de", context)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("cancellation", "request_date"), "15.01.2026", "expected a date"),
        (("device_plan", "remaining_amount"), 456.0, "expected a decimal amount"),
        (("device_plan", "remaining_amount"), "lots", "expected a decimal amount"),
        (("cancellation", "kind"), "whim", "expected one of customer, partner_immediate"),
        (("recipient", "lines"), "Seestrasse 1", "expected a list"),
    ],
)
def test_a_mistyped_value_is_named(path: tuple[str, str], value: object, message: str) -> None:
    context = sample_context("contract_cancellation", "de")
    context[path[0]][path[1]] = value
    with pytest.raises(ContextError) as info:
        render_letter("contract_cancellation", "de", context)
    assert info.value.path == ".".join(path)
    assert message in str(info.value)


def test_typed_values_and_json_strings_give_the_same_letter() -> None:
    as_json = sample_context("contract_change", "en")
    typed = sample_context("contract_change", "en")
    typed["change"] = {
        **typed["change"],
        "request_date": date(2026, 3, 12),
        "effective_date": date(2026, 4, 1),
        "earliest_downgrade": date(2026, 7, 1),
        "old_monthly_fee": Decimal("39.00"),
        "new_monthly_fee": Decimal("49.00"),
    }
    typed["letter"] = {**typed["letter"], "date": date(2026, 3, 12)}
    assert render_letter("contract_change", "en", typed) == render_letter(
        "contract_change", "en", as_json
    )


def test_an_unknown_partner_country_is_named() -> None:
    context = sample_context("welcome", "en")
    context["partner"]["country"] = "XX"
    with pytest.raises(ContextError, match=r"partner\.country: no currency known"):
        render_letter("welcome", "en", context)
