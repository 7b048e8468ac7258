"""Templates that try to reach Python's internals, or to hang or swamp the worker, fail their own
message with a clear reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.messaging_templates import one_part, russian, sms_text

from retentio.messaging.content import ChannelName, EmailBody
from retentio.messaging.templates import (
    CompiledTemplate,
    ErrorKind,
    Limits,
    TemplateError,
    preview,
    render,
    template_problems,
)
from retentio.messaging.templates.sandbox import compiled

SMS_TEXT = (ChannelName.SMS, "ru", "text")


class Ticks:
    """A monotonic clock that moves 10 ms each time it is read: a budget of 1 s lasts 100 reads."""

    def __init__(self) -> None:
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += 0.01
        return self.now


def failure(source: str, limits: Limits | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as raised:
        sms_text(source, limits=limits)
    return raised.value


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''['__class__'] }}",
        "{{ '' | attr('__class__') }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ range.__globals__ }}",
        "{{ money.__globals__['__builtins__'] }}",
        "{{ self.__init__.__globals__ }}",
        "{{ customer.__class__.__init__.__globals__ }}",
        "{{ customer.__dataclass_fields__ }}",
        "{{ now.__class__.__subclasses__() }}",
        "{{ '{0.__class__.__mro__}'.format('') }}",
        "{{ (cart.items | map(attribute='name')).gi_frame.f_globals }}",
        "{{ customer.attributes.update({'vip': true}) }}",
        "{{ cart.items.__len__() }}",
        "{% if ''.__class__ %}yes{% endif %}",
    ],
)
def test_reaching_python_internals_is_a_security_error(source: str) -> None:
    # given a template that got past the checks made when it was saved
    template = CompiledTemplate(one_part("x"), {SMS_TEXT: compiled(False, f"Привет\n{source}")})
    # when
    with pytest.raises(TemplateError) as raised:
        render(template, ChannelName.SMS, russian())
    # then
    error = raised.value
    assert error.kind is ErrorKind.SECURITY
    assert error.reason.startswith("not allowed: ")
    assert error.line == 2
    assert str(error).startswith("template 't' sms.ru.text line 2: not allowed: ")


def test_reaching_for_internals_is_refused_already_when_the_template_is_saved() -> None:
    template = one_part("{{ ''.__class__ }}\n{{ cycler['__init__'] }}\n{{ customer.__dataclass_fields__ }}")
    assert [str(problem) for problem in template_problems(template)] == [
        "channels.sms.ru.text line 1: not allowed: '__class__' (a template cannot reach Python's internals)",
        "channels.sms.ru.text line 2: not allowed: '__init__' (a template cannot reach Python's internals)",
        "channels.sms.ru.text line 3: not allowed: '__dataclass_fields__' (a template cannot reach Python's "
        "internals)",
    ]


def test_a_security_error_names_what_was_refused() -> None:
    template = CompiledTemplate(one_part("x"), {SMS_TEXT: compiled(False, "{{ ''.__class__ }}")})
    with pytest.raises(TemplateError) as raised:
        render(template, ChannelName.SMS, russian())
    assert raised.value.reason == "not allowed: access to attribute '__class__' of 'str' object is unsafe."


def test_jinjas_lorem_ipsum_is_not_there() -> None:
    error = failure("{{ lipsum(n=100000) }}")
    assert error.kind is ErrorKind.INVALID  # found before rendering: an unknown variable


def test_a_loop_that_prints_nothing_is_stopped_by_the_clock() -> None:
    ticks = Ticks()
    source = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    error = failure(source, Limits(seconds=1.0, monotonic=ticks, cpu=ticks))
    assert (error.kind, error.reason) == (
        ErrorKind.LIMIT,
        "took longer than 1 s to render (an endless loop?)",
    )
    assert ticks.reads < 200  # stopped right after the budget, not after 10**10 turns


def test_a_loop_that_prints_is_stopped_by_the_clock() -> None:
    source = "{% for i in range(100000) %}{{ i }}{% endfor %}"
    ticks = Ticks()
    assert failure(source, Limits(seconds=1.0, monotonic=ticks, cpu=ticks)).kind is ErrorKind.LIMIT
    assert ticks.reads < 200


def test_nested_loops_over_lists_that_print_nothing_are_stopped_too() -> None:
    ticks = Ticks()
    # a million turns without a single chunk of output or a call
    source = "{% set big = cart.items * 500 %}{% for a in big %}{% for b in big %}{% endfor %}{% endfor %}"
    assert failure(source, Limits(seconds=1.0, monotonic=ticks, cpu=ticks)).kind is ErrorKind.LIMIT
    assert ticks.reads < 200


def test_a_recursive_macro_is_stopped() -> None:
    error = failure("{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}")
    assert (error.kind, error.reason) == (ErrorKind.LIMIT, "macros or loops nested too deep")
    loop = failure("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}")
    assert loop.kind is ErrorKind.LIMIT


def test_range_is_capped_by_the_sandbox() -> None:
    error = failure("{% for x in range(100001) %}{% endfor %}")
    assert (error.kind, error.reason) == (ErrorKind.LIMIT, "range() of more than 100000 items")
    assert failure("{{ range(10 ** 30) | first }}").reason == "range() of more than 100000 items"
    assert (
        sms_text("{{ range(3) | list }} {{ range(3) | reverse | join }} {{ range(10)[2] }}")
        == "[0, 1, 2] 210 2"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 1000000000 }}",
        "{{ [0] * 1000000000 }}",
        "{{ 1000000000 * 'x' }}",
        "{% set x = 'x' * 1000000 %}{% set x = x ~ x %}{{ x | length }}",
        "{% set x = 'x' * 1000000 %}{% set x = x + x %}{{ x | length }}",
        "{% set x = 'x' * 1000000 %}{% set y %}{{ x }}{{ x }}{% endset %}{{ y | length }}",
        "{% set ns = namespace(s='x' * 600000) %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}",
        "{% macro grow(s, n) %}{% if n %}{{ grow(s ~ s, n - 1) }}{% endif %}{% endmacro %}"
        "{{ grow('xx', 40) }}",
        "{{ range(100000) | join('x' * 100) }}",
        "{{ ('x' * 100000) | replace('x', 'yyyyyyyyyyyyyyyyyyyy') }}",
        "{{ [1] | batch(1000000000, 'x') | list }}",
        "{{ [1] | slice(1000000000) | list }}",
    ],
)
def test_strings_and_lists_that_explode_are_stopped_before_they_are_built(source: str) -> None:
    error = failure(source)
    assert error.kind is ErrorKind.LIMIT, error


@pytest.mark.parametrize(
    "source",
    [
        "{{ 2 ** 1000000000 }}",
        "{{ (10 ** 30000) * (10 ** 30000) }}",
        "{{ '%999999999s' % 'x' }}",
        "{{ '%*s' % (999999999, 'x') }}",
        "{{ '{:>999999999}'.format('x') }}",
        "{{ '{:>{w}}'.format('x', w=999999999) }}",
    ],
)
def test_numbers_and_format_widths_that_explode_are_stopped(source: str) -> None:
    assert failure(source).kind is ErrorKind.LIMIT


@pytest.mark.parametrize(
    "method", ["center(999999999)", "ljust(999999999)", "zfill(999999999)", "join(['a'])"]
)
def test_string_methods_that_blow_up_a_string_are_not_available(method: str) -> None:
    assert failure(f"{{{{ 'x'.{method} }}}}").kind is ErrorKind.SECURITY


def test_the_guards_leave_ordinary_templates_alone() -> None:
    source = (
        "{{ '%.2f' % 3.14159 }} {{ '{:>5}'.format('ab') }} {{ 'ab' * 3 }} {{ 2 ** 10 }} "
        "{{ cart.items | map(attribute='name') | join(', ') }} {{ 'a-b' | replace('-', '+') }} "
        "{{ (cart.items[0].price * 0.9) | money }} {{ cart.total - 0.5 }} {% set ns = namespace(n=0) %}"
        "{% for item in cart.items %}{% set ns.n = ns.n + item.quantity %}{% endfor %}{{ ns.n }}"
    )
    assert sms_text(source) == "3.14    ab ababab 1024 Чай, Кофе a+b 555,52\xa0₽ 1334.00 3"
    assert russian().cart is not None and russian().cart.items[0].price == Decimal("617.25")


@pytest.mark.parametrize(
    ("channel", "part", "limit"),
    [("sms", "text", 2000), ("email", "subject", 998), ("telegram", "text", 4096), ("push", "title", 250)],
)
def test_a_part_longer_than_its_channel_allows_fails_the_message(channel: str, part: str, limit: int) -> None:
    source = "{% for i in range(100000) %}абв{% endfor %}"
    template = one_part(source, channel=channel, part=part)
    with pytest.raises(TemplateError) as raised:
        preview(template, russian(), ChannelName(channel))
    assert raised.value.kind is ErrorKind.LIMIT
    assert raised.value.reason == f"longer than the {limit} characters a {part} may have"
    assert raised.value.part == part


def test_an_email_html_part_may_be_big_but_not_past_a_mebibyte() -> None:
    fits = one_part("{% for i in range(100000) %}<p>abc</p>{% endfor %}", channel="email", part="html")
    body = preview(fits, russian(), ChannelName.EMAIL).body
    assert isinstance(body, EmailBody)
    assert len(body.html or "") == 1_000_000
    too_big = one_part("{% for i in range(100000) %}<p>abcd</p>{% endfor %}", channel="email", part="html")
    with pytest.raises(TemplateError) as raised:
        preview(too_big, russian(), ChannelName.EMAIL)
    assert raised.value.reason == "longer than the 1048576 characters a html may have"
