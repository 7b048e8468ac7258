from __future__ import annotations

import pytest
from tests.messaging_templates import one_part, russian

from retentio.messaging.content import ChannelName, TextBody
from retentio.messaging.templates import Problem, TemplateInvalid, compile_template, render, template_problems
from retentio.messaging.templates.context import VARIABLE_TYPES


def problems(source: str, part: str = "text", channel: str = "sms") -> list[Problem]:
    return template_problems(one_part(source, channel=channel, part=part))


def test_a_syntax_error_says_its_part_and_line() -> None:
    assert problems("Привет\n{{ customer.first_name }\nпока") == [
        Problem("channels.sms.ru.text", "unexpected '}'", 2)
    ]
    assert problems("{% if cart %}\nx", channel="email", part="html") == [
        Problem(
            "channels.email.ru.html",
            "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or "
            "'endif'. The innermost block that needs to be closed is 'if'.",
            2,
        )
    ]


def test_an_unknown_filter_is_found_even_in_a_branch_jinja_would_leave_for_later() -> None:
    assert problems("{% if coupon %}\n{{ coupon.code | shout }}\n{% endif %}") == [
        Problem("channels.sms.ru.text", "unknown filter 'shout'", 2)
    ]


def test_filters_that_could_explode_are_not_available() -> None:
    found = problems("{{ 'x' | center(80) }}{{ 'x' | wordwrap(5) }}{{ 1 | random }}")
    assert [problem.message for problem in found] == [
        "unknown filter 'center'",
        "unknown filter 'wordwrap'",
        "unknown filter 'random'",
    ]


def test_an_unknown_test_and_an_unknown_variable_are_named() -> None:
    assert [str(problem) for problem in problems("{% if cart is full %}x{% endif %}")] == [
        "channels.sms.ru.text line 1: unknown test 'full'"
    ]
    assert [str(problem) for problem in problems("Привет,\n{{ custmer.first_name }}")] == [
        "channels.sms.ru.text line 2: unknown variable 'custmer'; the variables are customer, now, profile, "
        "cart, order, products, coupon, loyalty, offer, recommendations, currency, unsubscribe_url, "
        "preferences_url",
    ]


def test_an_attribute_the_typed_parts_lack_is_named_with_what_they_have() -> None:
    assert [str(problem) for problem in problems("{{ coupon.value }}")] == [
        "channels.sms.ru.text line 1: coupon has no 'value'; it has code, description, valid_until"
    ]


def test_names_a_template_sets_itself_and_jinjas_own_are_not_unknown() -> None:
    source = (
        "{% set customer_name = customer.first_name %}{{ customer_name }}"
        "{% for item in cart.items %}{{ loop.index }}{{ item.name }}{% endfor %}"
        "{% macro line(x) %}{{ x }}{{ caller() }}{{ varargs }}{% endmacro %}{% call line(1) %}c{% endcall %}"
        "{% set ns = namespace(total=0) %}{{ range(3) | list }}{{ money(1) }}{{ cycler(1, 2).next() }}"
        "{{ customer.full_name }}{{ cart.total }}"
    )
    assert problems(source) == []


def test_including_or_extending_another_template_is_refused() -> None:
    assert [problem.message for problem in problems("{% include 'other' %}{% extends 'base' %}")] == [
        "a template cannot include, extend or import another template",
        "a template cannot include, extend or import another template",
    ]


def test_compiling_raises_with_every_problem_and_otherwise_keeps_each_part() -> None:
    with pytest.raises(TemplateInvalid) as raised:
        compile_template(one_part("{{ a }}{{ b }}"))
    assert len(raised.value.problems) == 2
    compiled = compile_template(one_part("{{ customer.first_name }}"))
    assert list(compiled.parts) == [("sms", "ru", "text")]


def test_a_caller_may_allow_and_give_more_variables() -> None:
    template = one_part("{{ promo_banner }}")
    assert template_problems(template, {"promo_banner": None}) == []
    compiled = compile_template(template, {**VARIABLE_TYPES, "promo_banner": None})
    shown = render(compiled, ChannelName.SMS, russian(), extra={"promo_banner": "Скидки!"})
    assert shown.body == TextBody("Скидки!")
