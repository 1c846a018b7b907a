"""The password scan of test results in tasks.py.

Robot Framework keeps most texts of log.html compressed and escapes ``&``
and ``<`` in output.xml, so a plain search of the bytes misses a password
written there.
"""

import subprocess
import sys

import pytest
from robot.utils import compress_text

import tasks

SECRET = "Hid3-&-/@-tail"
LONG_MESSAGE = f"The secret is {SECRET}, followed by filler. " + "filler " * 40


@pytest.fixture(scope="module")
def robot_results(tmp_path_factory):
    """Results of a Robot Framework run that logs the secret in a long message."""
    directory = tmp_path_factory.mktemp("results")
    suite = directory / "leaks.robot"
    suite.write_text(f"*** Test Cases ***\nLeak\n    Log    {LONG_MESSAGE}\n")
    subprocess.run(
        [sys.executable, "-m", "robot", "--outputdir", directory / "out", suite],
        capture_output=True,
        check=True,
    )
    return directory / "out"


@pytest.mark.parametrize("name", ["log.html", "output.xml"])
def test_scan_finds_a_password_that_raw_bytes_hide(robot_results, name):
    path = robot_results / name

    assert SECRET.encode() not in path.read_bytes()
    assert tasks.password_in_file(path, SECRET)
    assert not tasks.password_in_file(path, "Hid3-not-logged")


def test_robot_strings_reads_plain_and_compressed_literals():
    plain = 'say "hi" </p>'
    data = (
        "<script>\n"
        'var skipped = "*not data";\n'
        'window.output["strings"] = window.output["strings"].concat('
        f'["*say \\"hi\\" \\x3c/p>", "{compress_text(LONG_MESSAGE)}", "not-base64"]);\n'
        "</script>\n"
    )

    assert tasks.robot_strings(data) == [plain, LONG_MESSAGE]


def test_scan_reads_other_files_as_stored(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(f"{compress_text(LONG_MESSAGE)} Hid3-&amp;-/@-tail")

    assert not tasks.password_in_file(path, SECRET)
    assert tasks.password_in_file(path, "Hid3-&amp;")


def test_mask_uri_hides_an_unescaped_password_whole():
    uri = "mongodb://robot:Hid3a/Hid3b@Hid3c@127.0.0.1:1234/?authSource=admin"

    assert tasks.mask_uri(uri) == "mongodb://robot:***@127.0.0.1:1234/?authSource=admin"
