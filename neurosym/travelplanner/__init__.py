"""The TravelPlanner benchmark (Xie et al., ICML 2024): data, plan checks, submissions.

* :mod:`.loader` reads a split (JSON lines or the published CSV) into :class:`TPQuery`.
* :mod:`.checker` runs the benchmark's commonsense and hard checks (:func:`check_plan`)
  and computes its pass rates (:func:`score`).
* :mod:`.export` writes and reads submission files.

The data itself is not part of this package: point :func:`resolve_data_dir` at it.
"""

from .checker import COMMONSENSE_CHECKS, HARD_CHECKS, CheckResult, TPDatabase, check_plan, score
from .export import read_submission, submission_line, write_submission
from .loader import (
    DATA_DIR_ENV,
    TPAccommodation,
    TPAttraction,
    TPFlight,
    TPFlightSearch,
    TPGroundLeg,
    TPLocalConstraint,
    TPQuery,
    TPReference,
    TPRestaurant,
    TravelPlannerDataError,
    load,
    load_csv,
    load_jsonl,
    parse_text_table,
    resolve_data_dir,
)

__all__ = [
    "COMMONSENSE_CHECKS",
    "DATA_DIR_ENV",
    "HARD_CHECKS",
    "CheckResult",
    "TPAccommodation",
    "TPAttraction",
    "TPDatabase",
    "TPFlight",
    "TPFlightSearch",
    "TPGroundLeg",
    "TPLocalConstraint",
    "TPQuery",
    "TPReference",
    "TPRestaurant",
    "TravelPlannerDataError",
    "check_plan",
    "load",
    "load_csv",
    "load_jsonl",
    "parse_text_table",
    "read_submission",
    "resolve_data_dir",
    "score",
    "submission_line",
    "write_submission",
]
