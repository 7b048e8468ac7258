"""Migration 0008 turns the daily upkeep's last dates into done rows of the queue, so the upgraded
worker does not run a date again, and the way down keeps the latest done date of each job."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, text

from retentio.db.codec import codec_for
from retentio.db.migrate import current_revision, downgrade, head_revision, upgrade
from retentio.schedule.sql import enqueue
from retentio.schedule.work import NewWork

RAN_AT = datetime(2026, 11, 24, 0, 0, 5, tzinfo=UTC)


def test_the_upkeep_dates_survive_the_upgrade_and_the_downgrade(engine: Engine) -> None:
    # given: the schema before 0008; the standing job ran for 24 November, the custom job never
    # completed a claim (its placeholder date is the earliest date)
    downgrade(engine, "0007")
    with engine.begin() as connection:
        codec = codec_for(connection)
        connection.execute(
            text("INSERT INTO scheduled_runs (job, last_date, last_run_at) VALUES (:job, :day, :at)"),
            [
                {"job": "segments.standing", "day": date(2026, 11, 24), "at": codec.timestamp(RAN_AT)},
                {"job": "segments.custom", "day": date.min, "at": codec.timestamp(RAN_AT)},
            ],
        )
    # when
    upgrade(engine)
    # then
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT kind, key, state, attempts, payload FROM due_work ORDER BY kind")
        ).all()
        enqueue(connection, [NewWork("segments.standing", "2026-11-25", RAN_AT + timedelta(days=1))], RAN_AT)
        enqueue(connection, [NewWork("segments.custom", "2026-11-23", RAN_AT)], RAN_AT)
        connection.execute(
            text("UPDATE due_work SET state = 'done', finished_at = due_at WHERE kind = 'segments.custom'")
        )
    payloads = [codec_for(connection).read_json(row.payload) for row in rows]
    assert [(row.kind, row.key, row.state, row.attempts) for row in rows] == [
        ("segments.standing", "2026-11-24", "done", 1)
    ]
    assert payloads == [{"day": "2026-11-24"}]

    # when: down again, with 25 November's run waiting (not done) and a custom run done
    downgrade(engine, "0007")
    # then
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT job, last_date FROM scheduled_runs ORDER BY job")).all()
    assert [(job, str(day)) for job, day in runs] == [
        ("segments.custom", "2026-11-23"),
        ("segments.standing", "2026-11-24"),
    ]
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
