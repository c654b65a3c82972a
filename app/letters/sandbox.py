"""Filling placeholders safely: a Jinja2 sandbox, locale filters, and a static check.

Templates are written by operators, so they must never run code. Two fences:

1. :func:`check_template` walks the parsed template before it is accepted and
   refuses anything but placeholders, the formatting filters below, ``if``
   and comparisons. Every placeholder must be declared in the document's
   schema; an unknown one is refused with its dotted name. Method calls,
   loops, ``set``, imports and names beginning with ``_`` are refused.
2. Rendering runs in Jinja2's :class:`SandboxedEnvironment` with
   :class:`StrictUndefined`, so even a template that slipped past the check
   cannot reach Python internals or print a silently empty value.

Formatting filters use babel with the letter's locale: ``date`` (long date,
or ``date('short')``), ``month`` ("März 2026"), ``monthlist``, ``money``
(currency from the context: the partner country's currency), ``number``,
``phone`` (an E.164 number, spaced), ``list`` (a locale-correct "a, b and c"),
``words('NAME')`` (a list of ids, each worded by the document's ``terms.NAME``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.exceptions import TemplateSyntaxError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from app.i18n import babel_locale, format_money, format_month
from app.letters.context import ListOf, Node, Record, Scalar

#: The longest text one template string may be (the shipped ones: under 400 characters).
#: Setting a paragraph takes time that grows faster than its length.
MAX_TEXT = 2_000
#: How deeply an expression may nest (brackets, conditions): ``((((a))))`` is 4.
MAX_NESTING = 12
#: How deeply a parsed template may nest (``a or b or c …`` and ``x | f | g …`` nest too).
MAX_TREE_DEPTH = 60

#: Jinja tests operators may use in conditions.
ALLOWED_TESTS = frozenset({"none", "defined", "undefined", "eq", "ne", "gt", "lt", "ge", "le"})
#: Built-in filters that cannot reach anything beyond a string.
SAFE_BUILTIN_FILTERS = ("upper", "lower", "capitalize", "trim")
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.Const,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Keyword,
)


class LetterTemplateError(ValueError):
    """A template that cannot be accepted; the message names the place and the cause."""


class UnknownPlaceholderError(LetterTemplateError):
    def __init__(self, where: str, name: str) -> None:
        super().__init__(f"{where}: unknown placeholder {name!r}")
        self.placeholder = name


# --- filters ------------------------------------------------------------------------------


def _filters(language: str) -> dict[str, Callable[..., str]]:
    loc = babel_locale(language)

    def date_filter(value: date | None, fmt: str = "long") -> str:
        return "" if value is None else format_date(value, format=fmt, locale=loc)

    def month_filter(value: date | None) -> str:
        return "" if value is None else format_month(value, language, in_sentence=False)

    def monthlist_filter(values: list[date] | None) -> str:
        return format_list([month_filter(v) for v in values or []], locale=loc)

    def list_filter(values: list[Any] | None) -> str:
        return format_list([str(v) for v in values or []], locale=loc)

    @pass_context
    def words_filter(ctx: Context, values: list[Any] | None, terms: str) -> str:
        """Each value worded by the document's ``terms.<terms>``, as a list (an id the
        terms do not word is shown as it is)."""
        words = (ctx.get("terms") or {}).get(str(terms)) or {}
        return format_list([str(words.get(str(v), v)) for v in values or []], locale=loc)

    @pass_context
    def money_filter(ctx: Context, value: Decimal | None) -> str:
        if value is None:
            return ""
        return format_money(value, ctx["currency"], language)

    def number_filter(value: Decimal | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=loc)

    def phone_filter(value: str | None) -> str:
        return "" if not value else format_phone(value)

    return {
        "date": date_filter,
        "month": month_filter,
        "monthlist": monthlist_filter,
        "list": list_filter,
        "words": words_filter,
        "money": money_filter,
        "number": number_filter,
        "phone": phone_filter,
    }


def format_phone(value: str) -> str:
    """An E.164 number in international notation (``+41 79 123 45 67``)."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


@cache
def environment(language: str) -> SandboxedEnvironment:
    """The sandbox for letters in ``language`` (one per language, reused)."""
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    builtin = {name: env.filters[name] for name in SAFE_BUILTIN_FILTERS}
    env.filters.clear()
    env.filters.update(builtin)
    env.filters.update(_filters(language))
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS if name in env.tests}
    env.globals.clear()
    return env


# --- the static check -------------------------------------------------------------------


def kind_of(value: Any) -> str:
    """A short description of a value a template file has where it should not."""
    if isinstance(value, str):
        return f"text {value[:40]!r}" + ("…" if len(value) > 40 else "")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {str(value)[:40]}"


def compile_text(text: Any, language: str, scope: Record, where: str) -> Any:
    """Parse, check and compile one template string; :class:`LetterTemplateError` if refused."""
    if not isinstance(text, str):
        raise LetterTemplateError(f"{where}: expected text, got {kind_of(text)}")
    if len(text) > MAX_TEXT:
        raise LetterTemplateError(f"{where}: {len(text):,} characters; at most {MAX_TEXT:,}")
    _check_nesting(text, where)
    env = environment(language)
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise LetterTemplateError(f"{where}: {exc.message} (line {exc.lineno})") from exc
    except RecursionError:
        raise LetterTemplateError(f"{where}: nested too deeply") from None
    if _depth(tree) > MAX_TREE_DEPTH:
        raise LetterTemplateError(f"{where}: an expression nested too deeply")
    check_template(tree, scope, where, set(env.filters))
    return env.from_string(tree) if _has_expressions(tree) else _Static(text)


def _depth(tree: nodes.Node) -> int:
    """How deeply the parsed template nests (counted without recursion)."""
    deepest = 0
    stack: list[tuple[nodes.Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


def _check_nesting(text: str, where: str) -> None:
    """Refuse brackets nested deeper than :data:`MAX_NESTING` (they would exhaust the
    parser's stack long before they could mean anything in a letter)."""
    depth = deepest = 0
    for char in text:
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise LetterTemplateError(f"{where}: brackets nested {deepest} deep; at most {MAX_NESTING}")


class _Static:
    """A template without placeholders: rendering returns the text itself."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, _context: Any = None, **_kw: Any) -> str:
        return self.text


def _has_expressions(tree: nodes.Template) -> bool:
    return any(
        not isinstance(n, nodes.TemplateData | nodes.Output) for n in tree.find_all(nodes.Node)
    )


def check_template(tree: nodes.Node, scope: Record, where: str, filters: set[str]) -> None:
    """Refuse anything in ``tree`` but declared placeholders, known filters and conditions."""
    _check(tree, scope, where, filters)


def _check(node: nodes.Node, scope: Record, where: str, filters: set[str]) -> None:
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        resolve(node, scope, where, filters)
        return
    if isinstance(node, nodes.Filter):
        if node.name not in filters:
            raise LetterTemplateError(f"{where}: unknown filter {node.name!r}")
        if node.node is None:
            raise LetterTemplateError(f"{where}: filter blocks are not allowed")
    elif isinstance(node, nodes.Test):
        if node.name not in ALLOWED_TESTS:
            raise LetterTemplateError(f"{where}: unknown test {node.name!r}")
    elif not isinstance(node, _ALLOWED_NODES):
        raise LetterTemplateError(f"{where}: {_describe(node)} is not allowed in a letter template")
    for child in node.iter_child_nodes():
        _check(child, scope, where, filters)


def _describe(node: nodes.Node) -> str:
    names = {
        "Call": "a function call",
        "For": "a loop",
        "Assign": "'set'",
        "AssignBlock": "'set'",
        "Macro": "a macro",
        "Include": "'include'",
        "Import": "'import'",
        "FromImport": "'import'",
        "Extends": "'extends'",
    }
    return names.get(type(node).__name__, f"'{type(node).__name__}'")


def resolve(node: nodes.Node, scope: Record, where: str, filters: set[str]) -> Node:
    """The schema node a placeholder expression refers to, or :class:`UnknownPlaceholderError`."""
    if isinstance(node, nodes.Name):
        if node.name.startswith("_") or node.name not in scope.fields:
            raise UnknownPlaceholderError(where, node.name)
        return scope.fields[node.name]
    if isinstance(node, nodes.Getattr):
        if node.attr.startswith("_"):
            raise LetterTemplateError(
                f"{where}: {node.attr!r} is not allowed (no placeholder starts with '_')"
            )
        base = resolve(node.node, scope, where, filters)
        return _field(base, node.attr, f"{dotted(node.node)}.{node.attr}", where)
    if isinstance(node, nodes.Getitem):
        base = resolve(node.node, scope, where, filters)
        key = node.arg
        if isinstance(key, nodes.Const) and isinstance(key.value, str):
            return _field(base, key.value, f"{dotted(node.node)}.{key.value}", where)
        if isinstance(key, nodes.Const) and isinstance(key.value, int) and isinstance(base, ListOf):
            return base.item
        if isinstance(base, Record) and all(isinstance(f, Scalar) for f in base.fields.values()):
            _check(key, scope, where, filters)  # a term looked up by a placeholder's value
            return Scalar("text")
        raise LetterTemplateError(f"{where}: cannot look up {dotted(node)}")
    raise LetterTemplateError(f"{where}: only placeholders can be looked up, not {dotted(node)}")


def _field(base: Node, name: str, full: str, where: str) -> Node:
    if name.startswith("_") or not isinstance(base, Record) or name not in base.fields:
        raise UnknownPlaceholderError(where, full)
    return base.fields[name]


def dotted(node: nodes.Node) -> str:
    """``customer.name`` for the expression node of ``{{ customer.name }}``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        arg = node.arg.value if isinstance(node.arg, nodes.Const) else dotted(node.arg)
        return f"{dotted(node.node)}[{arg}]"
    return type(node).__name__
