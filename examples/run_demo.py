"""Run the example airport process: every stage in one Robot Framework run.

    python examples/run_demo.py
    python examples/run_demo.py --db-server mongodb://localhost:27017 --db-name demo

The embedded backend (the default) keeps its data only inside this process,
so the producer, both consumers and the report must run in one ``robot``
execution; this script runs them with ``robot.run_cli``. The log and report
go to ``results/demo/`` under the repository root. The exit code is
Robot Framework's: 0 when every stage ran and the final counts add up to the
rows read, the number of failed tasks otherwise.

With a real MongoDB server, a password is read from the environment variable
``TOS_DEMO_DB_PASSWORD`` rather than from the command line.
"""

import argparse
import sys
import time
from pathlib import Path

from robot import run_cli

EXAMPLES = Path(__file__).resolve().parent
PROCESS = EXAMPLES / "process"
OUTPUT_DIR = EXAMPLES.parent / "results" / "demo"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Run the example airport process and print its counts."
    )
    parser.add_argument(
        "--db-server",
        default="embedded",
        help="'embedded' (default), host:port or a MongoDB URI",
    )
    parser.add_argument("--db-name", default="demo", help="database (default: demo)")
    parser.add_argument("--db-user", default="", help="user, if the server needs one")
    parser.add_argument(
        "--db-auth-source", default="", help="database that holds the user"
    )
    parser.add_argument(
        "--collection-suffix",
        default="",
        help="use task_objects.SUFFIX, e.g. to start afresh on a real server",
    )
    parser.add_argument(
        "--output-dir",
        default=str(OUTPUT_DIR),
        help="where log.html and report.html go (default: results/demo)",
    )
    return parser.parse_args(argv)


def robot_arguments(options):
    variables = {
        "DB_SERVER": options.db_server,
        "DB_NAME": options.db_name,
        "DB_USER": options.db_user,
        "DB_AUTH_SOURCE": options.db_auth_source,
        "COLLECTION_SUFFIX": options.collection_suffix,
    }
    arguments = ["--rpa", "--name", "Airport process"]
    arguments += ["--outputdir", options.output_dir]
    for name, value in variables.items():
        arguments += ["--variable", f"{name}:{value}"]
    return [*arguments, str(PROCESS)]


def main(argv=None):
    options = parse_arguments(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    return_code = run_cli(robot_arguments(options), exit=False)
    elapsed = time.perf_counter() - started
    print(f"\nThe airport process took {elapsed:.1f} s on {options.db_server!r}.")
    if return_code != 0:
        print(
            "It did not finish cleanly: see log.html in the output directory.",
            file=sys.stderr,
        )
    return return_code


if __name__ == "__main__":
    sys.exit(main())
