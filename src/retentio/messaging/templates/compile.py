"""Check a template's Jinja2 before it is saved, and compile it once for many messages.

Every problem is found at once, each with its part and line: a syntax error, a filter or test that
does not exist (Jinja itself would only notice one inside an ``{% if %}`` when a message takes that
branch), an attribute beginning with ``_`` (the way out of every sandbox escape), a variable the
messages will not have (``custmer``), an attribute the typed parts lack (``customer.frist_name``),
and ``include``/``extends``/``import``, which a stored template has nothing to reach with.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass

from jinja2 import Template as JinjaTemplate
from jinja2 import TemplateSyntaxError, meta, nodes

from retentio.messaging.content import ChannelName
from retentio.messaging.templates.context import VARIABLE_TYPES
from retentio.messaging.templates.errors import Problem, TemplateInvalid
from retentio.messaging.templates.model import CHANNEL_PARTS, Template
from retentio.messaging.templates.sandbox import compiled, environment_for

_NO_REACH = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)

PartKey = tuple[ChannelName, str, str]  # channel, locale, part


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    template: Template
    parts: Mapping[PartKey, JinjaTemplate]


def _attributes(kind: type) -> set[str]:
    named = {each.name for each in fields(kind)} if is_dataclass(kind) else set()
    return named | {name for name in dir(kind) if not name.startswith("_")}


def _line_of(tree: nodes.Template, name: str) -> int | None:
    return next((node.lineno for node in tree.find_all(nodes.Name) if node.name == name), None)


def _unknown_names(tree: nodes.Template, html: bool) -> Iterator[tuple[int | None, str]]:
    environment = environment_for(html)
    for node in tree.find_all(_NO_REACH):
        yield node.lineno, "a template cannot include, extend or import another template"
    for filter_node in tree.find_all(nodes.Filter):
        if filter_node.name not in environment.filters:
            yield filter_node.lineno, f"unknown filter {filter_node.name!r}"
    for test in tree.find_all(nodes.Test):
        if test.name not in environment.tests:
            yield test.lineno, f"unknown test {test.name!r}"
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = access.attr if isinstance(access, nodes.Getattr) else getattr(access, "arg", None)
        if isinstance(name, nodes.Const):
            name = name.value
        if isinstance(name, str) and name.startswith("_"):
            yield access.lineno, f"not allowed: {name!r} (a template cannot reach Python's internals)"


def _unknown_variables(
    tree: nodes.Template, html: bool, known: Mapping[str, type | None]
) -> Iterator[tuple[int | None, str]]:
    """Runs Jinja's code generator over the tree: only for a tree whose filters and tests exist."""
    undeclared = meta.find_undeclared_variables(tree)
    for name in sorted(undeclared - known.keys() - environment_for(html).globals.keys()):
        yield _line_of(tree, name), f"unknown variable {name!r}; the variables are {', '.join(known)}"
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx != "load"}
    for access in tree.find_all(nodes.Getattr):
        owner = access.node
        if not isinstance(owner, nodes.Name) or owner.name in assigned or owner.name not in undeclared:
            continue
        kind = known.get(owner.name)
        if kind is not None and access.attr not in _attributes(kind):
            has = ", ".join(sorted(_attributes(kind)))
            yield access.lineno, f"{owner.name} has no {access.attr!r}; it has {has}"


def _check_part(source: str, html: bool, known: Mapping[str, type | None]) -> list[tuple[int | None, str]]:
    try:
        tree = environment_for(html).parse(source)
    except TemplateSyntaxError as error:
        return [(error.lineno, error.message or "syntax error")]
    problems = list(_unknown_names(tree, html)) or list(_unknown_variables(tree, html, known))
    if not problems:
        try:
            compiled(html, source)
        except TemplateSyntaxError as error:  # an assertion Jinja makes only while compiling
            problems.append((error.lineno, error.message or "cannot compile"))
    return problems


def template_problems(template: Template, known: Mapping[str, type | None] = VARIABLE_TYPES) -> list[Problem]:
    """Everything wrong with a template's Jinja2; empty when every part compiles and names only
    ``known`` variables (the message context's, or the caller's own)."""
    problems = []
    for channel, locales in template.channels.items():
        specs = {spec.name: spec for spec in CHANNEL_PARTS[channel]}
        for locale, parts in locales.items():
            for part, source in parts.items():
                where = f"channels.{channel}.{locale}.{part}"
                for line, message in _check_part(source, specs[part].html, known):
                    problems.append(Problem(where, message, line))
    return problems


def compile_template(
    template: Template, known: Mapping[str, type | None] = VARIABLE_TYPES
) -> CompiledTemplate:
    """The template ready to render, or ``TemplateInvalid`` listing every problem."""
    problems = template_problems(template, known)
    if problems:
        raise TemplateInvalid(template.name, problems)
    parts = {
        (channel, locale, part): compiled(
            next(spec.html for spec in CHANNEL_PARTS[channel] if spec.name == part), source
        )
        for channel, locales in template.channels.items()
        for locale, parts in locales.items()
        for part, source in parts.items()
    }
    return CompiledTemplate(template, parts)
