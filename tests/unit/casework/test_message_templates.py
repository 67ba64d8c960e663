"""The placeholders and length of the texts and emails staff send from a case."""

import pytest

from casework.messages.message_templates import (
    fill,
    placeholder_problem,
    sms_length,
    template_problems,
)


@pytest.mark.parametrize(
    "text,problem",
    [
        ("Hello {forename}, ref {reference}, from {caseworker}", None),
        ("No placeholders at all", None),
        ("Hi {firstname}", "{firstname} is not a placeholder"),
        ("Hi {}", "{} is not a placeholder"),
        ("Hi {forename.__class__}", "is not a placeholder"),
        ("Hi {forename!r}", "{forename} is not a placeholder"),
        ("Hi {forename:>20}", "{forename} is not a placeholder"),
        ("Hi {forename", "Check the curly brackets"),
        ("Hi forename}", "Check the curly brackets"),
        ("Braces {{like this}} are fine", None),
    ],
)
def test_only_the_three_placeholders_are_allowed(text, problem):
    found = placeholder_problem(text)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("length,parts", [(0, 1), (160, 1), (161, 2), (306, 2), (307, 3), (918, 6)])
def test_a_text_is_counted_in_parts_as_phones_do(length, parts):
    assert sms_length("x" * length) == (length, parts)


def test_an_email_needs_a_subject_and_a_text_does_not():
    assert template_problems("Hi", "email", "", "Body")["subject"] == "Enter the email's subject"
    assert template_problems("Hi", "sms", "", "Body") == {}
    assert "channel" in template_problems("Hi", "fax", "", "Body")
    assert "body" in template_problems("Hi", "sms", "", "x" * 919)


def test_filling_in_a_template():
    text = "Hello {forename}, {caseworker} about {reference}"
    assert fill(text, forename="Priya", reference="WC-1", caseworker="Casey") == (
        "Hello Priya, Casey about WC-1"
    )
