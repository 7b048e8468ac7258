"""The Jinja2 environments templates run in: Jinja's immutable sandbox, strict about undefined
names, with the guards of ``guards.py`` wired into the places Jinja offers for them, a vetted set of
filters and Babel's locale helpers.

Two environments: HTML parts are autoescaped (a customer's name cannot inject markup into an email),
every other part is plain text and is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.filters import FILTERS, do_batch, do_join, do_replace, do_slice
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, pass_eval_context

from retentio.messaging.templates.budget import LimitExceeded, check_length
from retentio.messaging.templates.context import CONTEXT_TYPES
from retentio.messaging.templates.guards import (
    BINOPS,
    BLOCKED_INT_METHODS,
    BLOCKED_STR_METHODS,
    GuardedNamespace,
    GuardedRange,
    check_call_arguments,
    check_format_string,
    checked_binop,
    checked_concat,
    checked_parts,
    clocked,
)
from retentio.messaging.templates.locale_helpers import HELPERS

# Jinja filters a template may not use, each able to build a huge string from a small source
# (center, indent, wordwrap, format, urlize with their width and string arguments), or of no use in a
# message and hard to bound (pprint, tojson), or not repeatable between preview and send (random).
LEFT_OUT_FILTERS = frozenset(
    {"center", "format", "indent", "pprint", "random", "tojson", "urlize", "wordwrap"}
)


class _GuardedCodeGenerator(CodeGenerator):
    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 (Jinja's visitor names)
        """As Jinja's, with the pieces of ``a ~ b`` handed to the size check before they are joined."""
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"{join}(environment.checked_parts((")
        for piece in node.nodes:
            self.visit(piece, frame)
            self.write(", ")
        self.write(")))")

    def visit_For(self, node: nodes.For, frame: Frame) -> None:  # noqa: N802
        """Every loop reads the clock on every item: nested loops over a list that print nothing
        would otherwise never give the renderer a chunk to check the time between."""
        clocked = nodes.Call(nodes.EnvironmentAttribute("clocked"), [node.iter], [], None, None)
        node.iter = clocked.set_lineno(node.iter.lineno)
        super().visit_For(node, frame)


class GuardedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(BINOPS)
    code_generator_class = _GuardedCodeGenerator
    concat = staticmethod(checked_concat)
    checked_parts = staticmethod(checked_parts)
    clocked = staticmethod(clocked)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj) in CONTEXT_TYPES:  # our frozen data: fields and properties only (most lookups)
            return not attr.startswith("_")
        if isinstance(obj, str | bytes) and attr in BLOCKED_STR_METHODS:
            return False
        if isinstance(obj, int) and attr in BLOCKED_INT_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return checked_binop(operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        check_call_arguments(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            check_format_string(value.__self__)
        return wrapped


def _estimated_length(items: Iterable[Any]) -> int:
    return sum(len(item) if isinstance(item, str) else len(str(item)) for item in items)


@pass_eval_context
def _join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    items = list(value)
    check_length(len(str(d)) * max(len(items) - 1, 0) + _estimated_length(items))
    joined: str = do_join(eval_ctx, items, d, attribute)
    return joined


@pass_eval_context
def _replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(s), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    check_length(len(text) + min(found, count if count is not None and count >= 0 else found) * len(new))
    replaced: str = do_replace(eval_ctx, s, old, new, count)  # a Markup in HTML parts: kept as one
    return replaced


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Any:
    if linecount > MAX_RANGE:
        raise LimitExceeded(f"batch() of more than {MAX_RANGE} items")
    return do_batch(value, linecount, fill_with)


def _slice(value: Iterable[Any], slices: int, fill_with: Any = None) -> Any:
    if slices > MAX_RANGE:
        raise LimitExceeded(f"slice() into more than {MAX_RANGE} parts")
    return do_slice(value, slices, fill_with)


def _range(*args: int) -> GuardedRange:
    """A function, not the class: a class would hand a template its ABC's ``register``."""
    return GuardedRange(*args)


def _nothing_for_none(value: Any) -> Any:
    """``{{ customer.first_name }}`` prints nothing, not "None", for a customer without one."""
    return "" if value is None else value


def _environment(autoescape: bool) -> GuardedEnvironment:
    environment = GuardedEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_nothing_for_none,
    )
    environment.filters = {name: f for name, f in FILTERS.items() if name not in LEFT_OUT_FILTERS}
    environment.filters |= {"join": _join, "replace": _replace, "batch": _batch, "slice": _slice, **HELPERS}
    environment.globals = {
        "range": _range,
        "namespace": GuardedNamespace,
        "dict": dict,
        "cycler": Cycler,
        "joiner": Joiner,
        **HELPERS,
    }
    return environment


TEXT_ENVIRONMENT = _environment(autoescape=False)
HTML_ENVIRONMENT = _environment(autoescape=True)


def environment_for(html: bool) -> GuardedEnvironment:
    return HTML_ENVIRONMENT if html else TEXT_ENVIRONMENT


@lru_cache(maxsize=4096)
def _compiled(html: bool, source: str) -> Template:
    return environment_for(html).from_string(source)


def compiled(html: bool, source: str) -> Template:
    """A part's source compiled once per process (sources are few; the same one is reused a lot)."""
    return _compiled(html, source)
