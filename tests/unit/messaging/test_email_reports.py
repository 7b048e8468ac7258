"""Bounces and complaints as mail servers write them (samples in email_reports/, after RFC 3464,
RFC 5965 and what Postfix, Exim and Mail.ru send)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retentio.messaging.channels.email.reports import read_report
from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.port import DeliveryReport, ReportStatus

SAMPLES = Path(__file__).parent / "email_reports"
SETTINGS = EmailSettings(from_address="shop@romashka.ru", bounce_domain="bounce.romashka.ru")


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_an_unknown_user_is_a_hard_bounce_of_the_original_message() -> None:
    assert read_report(sample("postfix_user_unknown.eml")) == [
        DeliveryReport(
            provider_id="<0190b6e2-7c1f@romashka.ru>",
            status=ReportStatus.BOUNCED,
            at=datetime(2026, 6, 1, 12, 0, 2, tzinfo=UTC),
            reason="5.1.1 smtp; 550 5.1.1 <ivan.petrov@mail.example>: Recipient address rejected: "
            "User unknown",
            recipient="ivan.petrov@mail.example",
        )
    ]


def test_each_recipient_counts_alone_a_temporary_failure_is_not_a_bounce_and_a_delay_says_nothing() -> None:
    reports = read_report(sample("exim_expired_and_delayed.eml"))
    assert [(report.recipient, report.status) for report in reports] == [
        ("anna@slow.example", ReportStatus.FAILED),
        ("vera@gone.example", ReportStatus.BOUNCED),
    ]
    assert {report.provider_id for report in reports} == {"<m-77@romashka.ru>"}
    assert reports[0].reason == "4.4.7 X-Exim; retry timeout exceeded"
    assert reports[0].at == datetime(2026, 6, 5, 9, 12, 40, tzinfo=UTC)
    assert reports[1].at is None


def test_without_the_original_the_bounce_address_names_the_message() -> None:
    # given: a success notice that returns nothing of the original, sent to the message's bounce address
    raw = sample("success_notice_without_original.eml")
    # then: without the settings it cannot be placed; with them it is the message's Message-ID
    with pytest.raises(ValueError, match="names no original Message-ID"):
        read_report(raw)
    assert read_report(raw, SETTINGS) == [
        DeliveryReport(
            provider_id="<=4frder=2f42@romashka.ru>",
            status=ReportStatus.DELIVERED,
            at=datetime(2026, 6, 2, 6, 59, 58, tzinfo=UTC),
            reason="2.0.0 delivered",
            recipient="oleg@partner.example",
        )
    ]


def test_an_abuse_report_is_a_complaint_about_the_original_message() -> None:
    assert read_report(sample("mailru_abuse_report.eml")) == [
        DeliveryReport(
            provider_id="<0190b6e2-7c1f@romashka.ru>",
            status=ReportStatus.COMPLAINED,
            at=datetime(2026, 6, 3, 9, 15, 2, tzinfo=UTC),
            reason="feedback-type abuse; MailRu-FBL/1.0",
            recipient="olga@mail.example",
        )
    ]


def test_a_complaint_stripped_of_its_message_id_is_placed_by_its_original_mail_from() -> None:
    raw = sample("mailru_abuse_report.eml").replace(b"Message-ID: <0190b6e2-7c1f@romashka.ru>\n", b"")
    (report,) = read_report(raw, SETTINGS)
    assert report.provider_id == "<0190b6e2-7c1f@romashka.ru>"


def test_a_not_spam_report_is_no_complaint() -> None:
    assert read_report(sample("not_spam_report.eml")) == []


def test_mail_that_is_no_report_is_refused_saying_what_it_is() -> None:
    with pytest.raises(ValueError, match="not a bounce or a complaint: Content-Type text/plain"):
        read_report(sample("vacation_autoreply.eml"), SETTINGS)
    broken = sample("postfix_user_unknown.eml").replace(b"message/delivery-status", b"text/plain")
    with pytest.raises(ValueError, match="no message/delivery-status part"):
        read_report(broken)
