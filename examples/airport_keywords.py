"""Keywords of the example airport process that are not about task objects.

Robot Framework imports this module as a library: each public function is a
keyword (``read_airports`` is `Read Airports`). The stages keep their task
objects with TOSLibrary; the functions here only read the input file, check
one row, stand in for a web service, and print the final counts.
"""

import csv
import io
import sys
from collections import Counter

from rich.console import Console
from rich.table import Table
from robot.api import logger

#: The stages of the process, in the order they run.
STAGE_NAMES = {0: "read rows", 1: "validate", 2: "look up UTC offset"}

#: Columns of the count table; any other status gets a column when it occurs.
FINAL_STATUSES = ["pass", "fail", "expected_fail", "skip"]

#: The fields that every row must have.
REQUIRED_FIELDS = ["iata", "name", "city", "state", "country"]

#: How the source marks a value it does not know.
MISSING = {"", "NA"}

#: Postal codes of the 50 states, the District of Columbia and the
#: inhabited territories.
# fmt: off
US_POSTAL_CODES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL",
    "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT",
    "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
    "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    "DC", "AS", "GU", "MP", "PR", "VI",
}
# fmt: on


class OutOfScope(Exception):
    """The row is fine but this process does not handle it."""

    ROBOT_SUPPRESS_NAME = True


class InvalidRow(Exception):
    """The row is incomplete or wrong; running it again will not help."""

    ROBOT_SUPPRESS_NAME = True


class ServiceUnavailable(Exception):
    """The service did not answer; asking again later may work."""

    ROBOT_SUPPRESS_NAME = True


def read_airports(path):
    """Return every row of the CSV file at ``path`` as a dictionary."""
    with open(path, newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    logger.info(f"Read {len(rows)} rows from {path}")
    return rows


def check_airport_row(row):
    """Check one row and return its cleaned fields.

    Fails with a message starting ``Out of scope:`` for an airport outside
    the USA, and ``Invalid row:`` for a row that is incomplete or wrong.
    """
    if row.get("country") not in MISSING and row["country"] != "USA":
        raise OutOfScope(
            f"Out of scope: {row['name']} ({row['iata']}) is in {row['country']}; "
            "this process handles airports in the USA only."
        )

    missing = [field for field in REQUIRED_FIELDS if row.get(field, "") in MISSING]
    if missing:
        raise InvalidRow(
            f"Invalid row: {' and '.join(missing)} missing (the source says 'NA')."
        )

    if row["state"] not in US_POSTAL_CODES:
        raise InvalidRow(
            f"Invalid row: state {row['state']!r} is not a US postal code."
        )

    return {
        "name": " ".join(row["name"].split()),
        "latitude": _coordinate(row, "latitude", 90),
        "longitude": _coordinate(row, "longitude", 180),
    }


def _coordinate(row, field, limit):
    try:
        value = float(row[field])
    except (KeyError, ValueError):
        raise InvalidRow(
            f"Invalid row: {field} {row.get(field)!r} is not a number."
        ) from None
    if not -limit <= value <= limit:
        raise InvalidRow(f"Invalid row: {field} {value} is out of range.")
    return value


_requests = Counter()


def look_up_utc_offset(airport):
    """Ask the (simulated) time zone service for the airport's UTC offset.

    The answer is the nominal offset of the airport's longitude, whole hours
    of 15 degrees, which is close to, but not always, the legal time zone.
    The service misbehaves in two fixed ways, so that every run is the same:

    - the first request for a code ending in "A" times out, and asking
      again works;
    - its Hawaii region is down for the whole run, so airports in HI always
      time out.
    """
    code = airport["iata"]
    _requests[code] += 1
    if airport["state"] == "HI" or (code.endswith("A") and _requests[code] == 1):
        raise ServiceUnavailable(
            f"Service unavailable: the time zone service did not answer for {code} "
            f"(request {_requests[code]})."
        )
    return {"utc_offset_hours": round(airport["longitude"] / 15)}


def print_count_table(counts):
    """Print the task objects per stage and status, and return their total.

    ``counts`` is what `Count Task Objects By Stage And Status` returns. The
    table goes to the console, above Robot Framework's own output, and to
    the log.
    """
    per_stage = {}
    for row in counts:
        per_stage.setdefault(row["stage"], Counter())[row["status"]] = row["count"]
    seen = {status for stage_counts in per_stage.values() for status in stage_counts}
    statuses = FINAL_STATUSES + sorted(seen - set(FINAL_STATUSES))

    table = Table(title="Task objects per stage and status")
    table.add_column("stage")
    for status in statuses:
        table.add_column(status, justify="right")
    table.add_column("total", justify="right", style="bold")
    for stage in sorted(per_stage):
        stage_counts = per_stage[stage]
        table.add_row(
            f"{stage} {STAGE_NAMES.get(stage, '')}".strip(),
            *[str(stage_counts[status]) for status in statuses],
            str(sum(stage_counts.values())),
        )
    total = sum(row["count"] for row in counts)
    table.add_section()
    table.add_row(
        "all",
        *[
            str(sum(stage_counts[status] for stage_counts in per_stage.values()))
            for status in statuses
        ],
        str(total),
    )
    _show(table)
    return total


def print_problem_rows(task_objects):
    """Print one line per task object that did not pass, with its reason."""
    table = Table(title="Rows that did not pass")
    for column in ["code", "stage", "status", "retries", "reason"]:
        table.add_column(column)
    for task_object in task_objects:
        table.add_row(
            task_object["payload"].get("iata", ""),
            str(task_object["stage"]),
            task_object["status"],
            str(task_object.get("retry_count", 0)),
            task_object.get("last_error") or "",
        )
    _show(table)


def count_unfinished(counts, last_stage):
    """Return how many task objects still wait for a stage or are mid-stage.

    An object is finished when its status is final and, if it passed, it
    passed the last stage.
    """
    last_stage = int(last_stage)
    return sum(
        row["count"]
        for row in counts
        if row["status"] not in FINAL_STATUSES
        or (row["status"] == "pass" and row["stage"] < last_stage)
    )


def _show(table):
    console = Console(file=sys.__stdout__)
    console.print()
    console.print(table)
    log_copy = Console(file=io.StringIO(), width=120)
    log_copy.print(table)
    logger.info(log_copy.file.getvalue())
