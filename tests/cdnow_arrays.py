"""The CDNOW 1/10 sample as NumPy columns, for the CLV model tests (skips when the data is absent)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from retentio.analytics.rfm_summary import RfmSummary, summarise_transactions

REPO_ROOT = Path(__file__).resolve().parents[1]


def dataset_dir() -> Path:
    return Path(os.environ.get("RETENTIO_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))


def load_cdnow_sample() -> tuple[NDArray[np.int64], NDArray[Any], NDArray[np.float64]]:
    """(sample customer id, purchase date, dollars) from the CDNOW 1/10 sample."""
    path = dataset_dir() / "CDNOW_sample.txt"
    if not path.exists():
        pytest.skip(f"{path} not found; set RETENTIO_DATASETS")
    raw = np.loadtxt(path, usecols=(1, 2, 4))
    ymd = raw[:, 1].astype(np.int64)
    months = (ymd // 10000 - 1970) * 12 + (ymd // 100 % 100 - 1)
    dates = months.astype("datetime64[M]").astype("datetime64[D]") + (ymd % 100 - 1)
    return raw[:, 0].astype(np.int64), dates, raw[:, 2]


def cdnow_calibration_summary() -> RfmSummary:
    """The 39-week calibration period of Fader, Hardie & Lee (2005), in weeks."""
    ids, dates, dollars = load_cdnow_sample()
    return summarise_transactions(ids, dates, dollars, until=np.datetime64("1997-10-01"), time_unit="week")
