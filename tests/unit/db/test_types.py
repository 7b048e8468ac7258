"""The UTC column type: a time that cannot be turned to UTC is a ValueError naming it, not an overflow."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from retentio.db.types import UtcDateTime


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_a_time_beyond_utc_is_refused_by_name(dialect: object) -> None:
    # given
    at = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-2)))
    # then
    with pytest.raises(ValueError, match="9999-12-31T23:00:00-02:00 cannot be stored"):
        UtcDateTime().process_bind_param(at, dialect)  # type: ignore[arg-type]
