"""Letter templates: one YAML file per document, one block of text per language.

A document file (``resources/letters/<document>.yaml``) has::

    id: contract_cancellation
    version: "2026.1"           # archived with every issued letter
    recipient: customer         # or partner
    placeholders: {...}         # the document's own facts, typed (see context.py)
    de: {title, subject, salutation, body, closing, signature, terms, info}
    en: ...  ru: ...  zh: ...

``body`` is a list of blocks: a plain string is a paragraph; mappings are
``heading``, ``bullets``, ``facts`` (label/value rows), ``table`` (rows from a
list placeholder, with ``columns`` and an optional ``total``) and
``signatures``. Any block may carry ``when: <condition>``. ``common.yaml``
holds what every letter shares per language (info block, date line, page
label, footer labels). Everything is parsed, checked and compiled when a
document is first loaded; a problem names file, language and place.

Template files are edited by hand, so reading them is bounded: a file is at
most :data:`MAX_FILE_BYTES`, collections nest at most :data:`MAX_DEPTH`
levels, a text is at most :data:`MAX_TEXT` characters, a body at most
:data:`MAX_BLOCKS` blocks, and a file with its YAML aliases expanded at most
:data:`MAX_VALUES` values (aliases can make a small file stand for a huge one).
Beyond any bound, and for every value of the wrong kind (``body: 5``), the
error names the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.letters.context import ListOf, Node, Record, Scalar, merge, parse_schema
from app.letters.operator import load_operator
from app.letters.sandbox import MAX_TEXT, LetterTemplateError, compile_text, kind_of
from app.resources import resource_path

LANGUAGES: tuple[str, ...] = ("de", "en", "ru", "zh")
RECIPIENTS = ("customer", "partner")
COMMON_FILE = "common.yaml"
NOT_DOCUMENTS = {"common", "samples"}
#: The largest template file read (the shipped ones are under 16 kB).
MAX_FILE_BYTES = 128_000
#: How deeply mappings and lists may nest (the shipped templates: 7 levels).
MAX_DEPTH = 20
#: The most blocks a letter's body may have, and the most rows a facts block or table.
MAX_BLOCKS = 200
#: The most values a file may stand for, aliases expanded (the shipped ones: under 2,000).
MAX_VALUES = 50_000

#: Placeholders every letter has, whatever the document.
COMMON_PLACEHOLDERS = {
    # name_at: the line the name goes to, when not the first (Chinese order, see address.py).
    "recipient": {"name": "text", "lines": ["text"], "salutation?": "text", "name_at?": "integer"},
    "customer": {"name": "text", "customer_no": "text", "msisdn?": "text"},
    "partner": {"name": "text", "country": "text"},
    "letter": {"date": "date", "reference?": "text", "author?": "text"},
    "currency?": "text",
}

Compiled = Any  # a compiled jinja Template (or a static text) with .render(mapping)


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: Compiled
    when: Compiled | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    text: Compiled
    when: Compiled | None = None


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[Compiled, ...]
    when: Compiled | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    rows: tuple[tuple[Compiled, Compiled], ...]
    when: Compiled | None = None


@dataclass(frozen=True, slots=True)
class Column:
    header: Compiled
    value: Compiled
    align: str
    width: float | None


@dataclass(frozen=True, slots=True)
class Table:
    rows: str
    columns: tuple[Column, ...]
    total: tuple[Compiled, ...] | None
    when: Compiled | None = None


@dataclass(frozen=True, slots=True)
class Signatures:
    fields: tuple[tuple[Compiled, Compiled], ...]
    when: Compiled | None = None


Block = Paragraph | Heading | Bullets | Facts | Table | Signatures


@dataclass(frozen=True, slots=True)
class LanguageText:
    title: Compiled
    subject: Compiled
    salutation: Compiled
    body: tuple[Block, ...]
    closing: Compiled
    signature: tuple[Compiled, ...]
    info: tuple[tuple[Compiled, Compiled], ...]
    date_line: Compiled
    page_label: Compiled
    footer: Mapping[str, str]
    terms: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    id: str
    version: str
    recipient: str
    schema: Record
    languages: Mapping[str, LanguageText]
    path: Path

    def text(self, language: str) -> LanguageText:
        try:
            return self.languages[language]
        except KeyError:
            raise LetterTemplateError(
                f"{self.path.name}: no text for language {language!r}"
            ) from None

    @property
    def term_keys(self) -> dict[str, set[str]]:
        first = next(iter(self.languages.values()))
        return {name: set(values) for name, values in first.terms.items()}


def letters_folder() -> Path:
    return resource_path("letters")


def document_ids(folder: Path | None = None) -> tuple[str, ...]:
    """The documents that have a template file, sorted."""
    base = folder or letters_folder()
    return tuple(sorted(p.stem for p in base.glob("*.yaml") if p.stem not in NOT_DOCUMENTS))


def read_template_file(document: str, folder: Path | None = None) -> Any:
    """The checked YAML of ``document``'s letter file, not compiled (its titles, say)."""
    return _read_yaml((folder or letters_folder()) / f"{document}.yaml")


def _read_yaml(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise LetterTemplateError(
                f"{path.name}: larger than {MAX_FILE_BYTES // 1000} kB; a letter template "
                "is a few kB"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LetterTemplateError(f"no template file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LetterTemplateError(f"{path.name}: cannot be read ({exc})") from None
    try:
        _check_shape(text, path.name)
        data = yaml.safe_load(text)
        _check_size(data, path.name)
        return data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" (line {mark.line + 1})" if mark else ""
        raise LetterTemplateError(
            f"{path.name}: not valid YAML{line}: {exc.problem or exc.context}"
        ) from None
    except yaml.YAMLError as exc:
        raise LetterTemplateError(f"{path.name}: not valid YAML: {exc}") from None


def _check_shape(text: str, filename: str) -> None:
    """Refuse deep nesting, aliases and over-long texts before anything is built.

    Reads the YAML event stream (iteratively: a 10,000-deep file does not
    exhaust the stack), so the file is only loaded once it is known to be sane.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise LetterTemplateError(
                    f"{filename}, line {line}: nested deeper than {MAX_DEPTH} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_TEXT:
            raise LetterTemplateError(
                f"{filename}, line {line}: a text of {len(event.value):,} characters; "
                f"at most {MAX_TEXT:,}"
            )


def _check_size(data: Any, filename: str) -> None:
    """Refuse a document whose aliases stand for more than :data:`MAX_VALUES` values
    (a few lines of ``&a [*b, *b, …]`` can stand for billions). Counted without
    recursion and stopping at the bound, so a self-containing alias is refused too."""
    count = 0
    stack = [data]
    while stack:
        value = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise LetterTemplateError(
                f"{filename}: stands for more than {MAX_VALUES:,} values "
                "(anchors and aliases repeated into each other?)"
            )
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _mapping(value: Any, where: str, what: str = "a mapping") -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise LetterTemplateError(f"{where}: expected {what}, got {kind_of(value)}")
    return value


def _list(value: Any, where: str, what: str = "a list", most: int = MAX_BLOCKS) -> list[Any]:
    if not isinstance(value, list):
        raise LetterTemplateError(f"{where}: expected {what}, got {kind_of(value)}")
    if len(value) > most:
        raise LetterTemplateError(f"{where}: {len(value)} entries; at most {most}")
    return value


@cache
def load_template(document: str, folder: Path | None = None) -> LetterTemplate:
    """The checked, compiled template of ``document`` (cached per process)."""
    base = folder or letters_folder()
    if not document.replace("_", "").isalnum() or document in NOT_DOCUMENTS:
        raise LetterTemplateError(f"unknown document {document!r}")
    path = base / f"{document}.yaml"
    if not path.is_file():
        known = ", ".join(document_ids(base))
        raise LetterTemplateError(f"unknown document {document!r} (known: {known})")
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise LetterTemplateError(f"{path.name}: expected a mapping at the top")
    for key in ("id", "version", "recipient", "placeholders", *LANGUAGES):
        if key not in raw:
            raise LetterTemplateError(f"{path.name}: missing key {key!r}")
    if raw["id"] != document:
        raise LetterTemplateError(f"{path.name}: id is {raw['id']!r}, expected {document!r}")
    if raw["recipient"] not in RECIPIENTS:
        raise LetterTemplateError(f"{path.name}: recipient must be customer or partner")
    try:
        own = parse_schema(raw["placeholders"] or {})
        common = parse_schema(COMMON_PLACEHOLDERS)
    except ValueError as exc:
        raise LetterTemplateError(f"{path.name}: {exc}") from exc
    if not isinstance(own, Record):
        raise LetterTemplateError(f"{path.name}: placeholders must be a mapping")
    assert isinstance(common, Record)
    schema = merge(common, own)
    common_text = _read_yaml(base / COMMON_FILE)
    languages = {
        lang: _language(path.name, lang, raw[lang], common_text, schema, raw["recipient"], base)
        for lang in LANGUAGES
    }
    _same_terms(path.name, languages)
    return LetterTemplate(
        id=document,
        version=str(raw["version"]),
        recipient=raw["recipient"],
        schema=schema,
        languages=languages,
        path=path,
    )


def _same_terms(filename: str, languages: Mapping[str, LanguageText]) -> None:
    first_lang, first = next(iter(languages.items()))
    for lang, text in languages.items():
        for name in set(first.terms) | set(text.terms):
            a, b = set(first.terms.get(name, {})), set(text.terms.get(name, {}))
            if a != b:
                raise LetterTemplateError(
                    f"{filename}: terms.{name} differ between {first_lang} and {lang}: "
                    f"{', '.join(sorted(a ^ b))}"
                )


def _scope(
    schema: Record, terms: Mapping[str, Mapping[str, str]], language: str, folder: Path
) -> Record:
    operator = load_operator(language, None if folder == letters_folder() else folder)
    op_fields: dict[str, Node] = {name: Scalar("text") for name in operator.placeholders()}
    term_fields: dict[str, Node] = {
        name: Record({key: Scalar("text") for key in values}) for name, values in terms.items()
    }
    return merge(schema, Record({"operator": Record(op_fields), "terms": Record(term_fields)}))


def _language(
    filename: str, lang: str, raw: Any, common: Any, schema: Record, recipient: str, folder: Path
) -> LanguageText:
    where = f"{filename}, {lang}"
    if not isinstance(raw, dict):
        raise LetterTemplateError(f"{where}: expected a mapping of texts")
    for key in ("title", "subject", "body"):
        if key not in raw:
            raise LetterTemplateError(f"{where}: missing {key!r}")
    terms = raw.get("terms") or {}
    if not isinstance(terms, dict) or not all(isinstance(v, dict) for v in terms.values()):
        raise LetterTemplateError(f"{where}: terms must map names to mappings of texts")
    for name, values in terms.items():
        for key, value in values.items():
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise LetterTemplateError(
                    f"{where}, terms.{name}.{key}: expected text, got {kind_of(value)}"
                )
    terms = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in terms.items()}
    scope = _scope(schema, terms, lang, folder)
    shared = _mapping(common, COMMON_FILE).get(lang)
    if not isinstance(shared, dict):
        raise LetterTemplateError(f"{COMMON_FILE}: no texts for language {lang!r}")
    for key in ("info", "date_line", "page"):
        if key not in shared:
            raise LetterTemplateError(f"{COMMON_FILE}, {lang}: missing {key!r}")
    shared_info = _mapping(shared["info"], f"{COMMON_FILE}, {lang}, info")
    if recipient not in shared_info:
        raise LetterTemplateError(f"{COMMON_FILE}, {lang}, info: missing {recipient!r}")
    footer = _mapping(shared.get("footer") or {}, f"{COMMON_FILE}, {lang}, footer")

    def text(value: Any, place: str, extra: Record | None = None) -> Compiled:
        return compile_text(
            value, lang, merge(scope, extra) if extra else scope, f"{where}, {place}"
        )

    info_raw = raw.get("info", shared_info[recipient])
    signature = raw.get("signature", shared.get("signature", []))
    if isinstance(signature, str):
        signature = [signature]
    signature = _list(signature, f"{where}, signature", "a text or a list of texts")
    body = _list(raw["body"] or [], f"{where}, body", "a list of blocks")
    page_scope = Record({"page": Scalar("integer"), "pages": Scalar("integer")})
    return LanguageText(
        title=text(raw["title"], "title"),
        subject=text(raw["subject"], "subject"),
        salutation=text(raw.get("salutation", shared.get("salutation", "")), "salutation"),
        body=tuple(_block(b, f"body[{i}]", text, schema, where) for i, b in enumerate(body)),
        closing=text(raw.get("closing", shared.get("closing", "")), "closing"),
        signature=tuple(text(s, f"signature[{i}]") for i, s in enumerate(signature)),
        info=tuple(_pairs(info_raw, "info", text, where)),
        date_line=compile_text(
            shared["date_line"], lang, scope, f"{COMMON_FILE}, {lang}, date_line"
        ),
        page_label=compile_text(shared["page"], lang, page_scope, f"{COMMON_FILE}, {lang}, page"),
        footer={str(k): str(v) for k, v in footer.items()},
        terms=terms,
    )


def _pairs(raw: Any, place: str, text: Any, where: str) -> list[tuple[Compiled, Compiled]]:
    raw = _list(raw, f"{where}, {place}", "a list of [label, value] pairs")
    pairs = []
    for i, row in enumerate(raw):
        if not (isinstance(row, list) and len(row) == 2):
            raise LetterTemplateError(f"{where}, {place}[{i}]: expected [label, value]")
        pairs.append((text(row[0], f"{place}[{i}][0]"), text(row[1], f"{place}[{i}][1]")))
    return pairs


def _block(raw: Any, place: str, text: Any, schema: Record, where: str) -> Block:
    if isinstance(raw, str):
        return Paragraph(text(raw, place))
    if not isinstance(raw, dict):
        raise LetterTemplateError(f"{where}, {place}: expected text or a mapping")
    when = raw.get("when")
    if when is not None and not isinstance(when, str):
        raise LetterTemplateError(
            f"{where}, {place}.when: expected a condition, got {kind_of(when)}"
        )
    if when and ("%}" in when or "{%" in when or "{{" in when):
        raise LetterTemplateError(f"{where}, {place}.when: a condition, not a template")
    cond = text(f"{{% if {when} %}}1{{% endif %}}", f"{place}.when") if when else None
    kinds = [
        k for k in ("paragraph", "heading", "bullets", "facts", "table", "signatures") if k in raw
    ]
    if len(kinds) != 1:
        raise LetterTemplateError(
            f"{where}, {place}: a block is one of paragraph, heading, bullets, facts, "
            "table, signatures"
        )
    kind, value = kinds[0], raw[kinds[0]]
    if kind == "paragraph":
        return Paragraph(text(value, place), cond)
    if kind == "heading":
        return Heading(text(value, place), cond)
    if kind == "bullets":
        items = _list(value, f"{where}, {place}.bullets", "a list of texts")
        return Bullets(tuple(text(v, f"{place}.bullets[{i}]") for i, v in enumerate(items)), cond)
    if kind == "facts":
        return Facts(tuple(_pairs(value, f"{place}.facts", text, where)), cond)
    if kind == "signatures":
        signers = _list(value, f"{where}, {place}.signatures", "a list of {label, name}")
        fields = tuple(
            (
                text(f.get("label", ""), f"{place}.signatures[{i}].label"),
                text(f.get("name", ""), f"{place}.signatures[{i}].name"),
            )
            for i, f in enumerate(
                _mapping(f, f"{where}, {place}.signatures[{i}]") for i, f in enumerate(signers)
            )
        )
        return Signatures(fields, cond)
    return _table(value, f"{place}.table", text, schema, where, cond)


def _table(
    raw: Any, place: str, text: Any, schema: Record, where: str, cond: Compiled | None
) -> Table:
    raw = _mapping(raw, f"{where}, {place}", "a mapping with rows and columns")
    rows = raw.get("rows")
    node: Any = schema
    for part in str(rows).split(".") if isinstance(rows, str) else ["-"]:
        node = node.fields.get(part) if isinstance(node, Record) else None
    if not isinstance(node, ListOf):
        shown = kind_of(rows) if not isinstance(rows, str) else repr(rows)
        raise LetterTemplateError(f"{where}, {place}.rows: {shown} is not a list placeholder")
    row_scope = Record({"row": node.item})
    columns = []
    raw_columns = _list(raw.get("columns") or [], f"{where}, {place}.columns", most=20)
    for i, col in enumerate(raw_columns):
        col = _mapping(col, f"{where}, {place}.columns[{i}]", "a mapping {header, value}")
        align = col.get("align", "left")
        if align not in ("left", "right", "center"):
            raise LetterTemplateError(f"{where}, {place}.columns[{i}].align: left, right or center")
        width = col.get("width")
        if width is not None and (
            not isinstance(width, int | float) or isinstance(width, bool) or not 0 < width <= 200
        ):
            raise LetterTemplateError(
                f"{where}, {place}.columns[{i}].width: a width in mm (0 to 200), "
                f"got {kind_of(width)}"
            )
        columns.append(
            Column(
                header=text(col.get("header", ""), f"{place}.columns[{i}].header"),
                value=text(col.get("value", ""), f"{place}.columns[{i}].value", row_scope),
                align=align,
                width=float(width) if width is not None else None,
            )
        )
    if not columns:
        raise LetterTemplateError(f"{where}, {place}: a table needs columns")
    total = raw.get("total")
    if total is not None and (not isinstance(total, list) or len(total) != len(columns)):
        raise LetterTemplateError(f"{where}, {place}.total: a list with one cell per column")
    return Table(
        rows=str(rows),
        columns=tuple(columns),
        total=tuple(text(t, f"{place}.total[{i}]") for i, t in enumerate(total))
        if total is not None
        else None,
        when=cond,
    )
