"""The preference centre through HTTP: the signed page (Russian and English, saving only what
changed, forged links refused) and ``/v1/customers/{id}/preferences`` for the shop's account page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from retentio.customers.tables import consent_changes, kind_preferences
from retentio.events.tables import events
from retentio.messaging.links import Links, links_for

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _customer(client: TestClient, auth: dict[str, str], locale: str = "ru") -> None:
    body = {
        "email": "anna@example.ru",
        "phone": "+79990000000",
        "locale": locale,
        "consents": [{"channel": "email", "granted": True, "source": "checkout"}],
    }
    assert client.put("/v1/customers/c1", json=body, headers=auth).status_code == 200


def _page_path(engine: Engine, now: datetime, customer_id: str = "c1") -> str:
    with engine.begin() as connection:
        links = links_for(connection, "http://testserver", None, now)
    return urlsplit(links.preferences(customer_id)).path


def _rows(engine: Engine) -> tuple[int, int, list[tuple[str, str]]]:
    with engine.connect() as connection:
        consents = connection.execute(select(func.count()).select_from(consent_changes)).scalar_one()
        kinds = connection.execute(select(func.count()).select_from(kind_preferences)).scalar_one()
        logged = connection.execute(select(events.c.type, events.c.properties).order_by(events.c.id)).all()
    return (
        consents,
        kinds,
        [(row.type, row.properties.get("kind")) for row in logged if "subscribed" in row.type],
    )


def test_the_page_shows_each_channel_with_an_address_in_russian_or_english(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    # given a Russian-speaking customer with email consent and a phone without consent
    _customer(client, auth, "ru")
    # when
    page = client.get(_page_path(engine, now))
    # then
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in page.text and "Настройки рассылок" in page.text
    assert 'name="email:marketing" value="on" checked' in page.text
    assert 'name="email:trigger" value="on" checked' in page.text
    assert 'name="sms:marketing" value="on">' in page.text  # no SMS consent: unticked
    assert "telegram" not in page.text  # no Telegram address: no row
    assert "<script" not in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    # and in English for an English-speaking one
    client.put("/v1/customers/c1", json={"locale": "en"}, headers=auth)
    english = client.get(_page_path(engine, now))
    assert '<html lang="en">' in english.text and "Your message preferences" in english.text


def test_saving_the_page_stops_marketing_email_records_only_changes_and_logs_them(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _customer(client, auth, "en")
    before = _rows(engine)
    # when the customer keeps reminders by email and stops promotions
    saved = client.post(_page_path(engine, now), content=b"email%3Atrigger=on", headers=FORM)
    # then
    assert saved.status_code == 200 and 'role="status"' in saved.text
    assert 'name="email:marketing" value="on">' in saved.text
    assert 'name="email:trigger" value="on" checked' in saved.text
    assert _rows(engine) == (before[0], 1, [("unsubscribed", "marketing")])
    with engine.connect() as connection:
        row = connection.execute(select(kind_preferences)).one()
    assert (row.channel, row.kind, row.wanted, row.source) == ("email", "marketing", False, "preference_page")
    # and saving the same choices again records nothing more
    again = client.post(_page_path(engine, now), content=b"email%3Atrigger=on", headers=FORM)
    assert again.status_code == 200
    assert _rows(engine) == (before[0], 1, [("unsubscribed", "marketing")])
    # and the API sees the same
    seen = client.get("/v1/customers/c1/preferences", headers=auth).json()["channels"][0]
    assert seen == {
        "channel": "email",
        "consent": True,
        "receives": {"marketing": False, "trigger": True, "transactional": True},
    }


def test_ticking_a_kind_on_a_channel_without_consent_records_its_consent(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _customer(client, auth)
    body = b"email%3Amarketing=on&email%3Atrigger=on&sms%3Atrigger=on"
    assert client.post(_page_path(engine, now), content=body, headers=FORM).status_code == 200
    with engine.connect() as connection:
        consent = connection.execute(select(consent_changes).where(consent_changes.c.channel == "sms")).one()
        stopped = connection.execute(select(kind_preferences.c.channel, kind_preferences.c.kind)).all()
    assert (consent.granted, consent.source) == (True, "preference_page")
    assert stopped == [("sms", "marketing")]  # reminders by SMS, no promotions


def test_a_forged_or_edited_link_shows_and_changes_nothing(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _customer(client, auth)
    before = _rows(engine)
    forged = urlsplit(Links("http://testserver", b"someone else's secret!!").preferences("c1")).path
    token, signature = _page_path(engine, now).split("/")[2:]
    other = _page_path(engine, now, "c2").split("/")[2]
    for path in (forged, f"/p/{other}/{signature}", f"/p/{token}/{signature[:-1]}x", f"/p/%%%/{signature}"):
        assert client.get(path).status_code == 404, path
        assert client.post(path, content=b"", headers=FORM).status_code == 404, path
    assert _rows(engine) == before


def test_a_forged_form_field_is_refused_naming_it(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _customer(client, auth)
    before = _rows(engine)
    answer = client.post(_page_path(engine, now), content=b"email%3Atransactional=on", headers=FORM)
    assert answer.status_code == 400 and "transactional" in answer.json()["detail"]
    assert _rows(engine) == before


def test_the_api_reads_and_changes_preferences(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _customer(client, auth)
    change = {
        "preferences": [{"channel": "email", "kind": "marketing", "receives": False}],
        "source": "account",
    }
    answer = client.put("/v1/customers/c1/preferences", json=change, headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    assert body["customer_id"] == "c1" and urlsplit(body["page_url"]).path.startswith("/p/")
    assert [(row["channel"], row["consent"], row["receives"]) for row in body["channels"]] == [
        ("email", True, {"marketing": False, "trigger": True, "transactional": True}),
        ("sms", False, {"marketing": False, "trigger": False, "transactional": True}),
    ]
    assert client.get("/v1/customers/c1/preferences", headers=auth).json() == body
    assert client.get(urlsplit(body["page_url"]).path).status_code == 200
    with engine.connect() as connection:
        assert connection.execute(select(kind_preferences.c.source)).scalar_one() == "account"


def test_the_api_names_what_is_wrong_and_changes_nothing(
    client: TestClient,
    engine: Engine,
    now: datetime,
    auth: dict[str, str],
    headers_for: Callable[[str], dict[str, str]],
) -> None:
    _customer(client, auth)
    before = _rows(engine)
    cases = [
        (
            {"channel": "fax", "kind": "marketing", "receives": False},
            "preferences.0.channel",
            "unknown channel",
        ),
        ({"channel": "email", "kind": "promo", "receives": False}, "preferences.0.kind", "unknown kind"),
        ({"channel": "email", "kind": "transactional", "receives": False}, "preferences.0.kind", "cannot be"),
        (
            {"channel": "telegram", "kind": "trigger", "receives": True},
            "preferences.0.channel",
            "no telegram",
        ),
    ]
    for change, field, message in cases:
        answer = client.put("/v1/customers/c1/preferences", json={"preferences": [change]}, headers=auth)
        assert answer.status_code == 422, change
        [error] = answer.json()["detail"]
        assert error["field"] == field and message in error["message"], error
    missing = client.put(
        "/v1/customers/nobody/preferences",
        json={"preferences": [{"channel": "email", "kind": "trigger", "receives": False}]},
        headers=auth,
    )
    assert missing.status_code == 404
    assert client.get("/v1/customers/nobody/preferences", headers=auth).status_code == 404
    assert client.get("/v1/customers/c1/preferences").status_code == 401
    read_only = headers_for("read")
    change = {"preferences": [{"channel": "email", "kind": "trigger", "receives": False}]}
    assert client.put("/v1/customers/c1/preferences", json=change, headers=read_only).status_code == 403
    assert _rows(engine) == before
