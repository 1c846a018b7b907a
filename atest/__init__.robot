*** Settings ***
Documentation       Acceptance tests of TOSLibrary. The backend comes from the
...                 TOS_TEST_* environment variables (default: embedded).
Metadata            Backend    %{TOS_TEST_BACKEND=embedded}
