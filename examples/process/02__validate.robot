*** Settings ***
Documentation       Stage 1: checks each airport row and cleans it.
...
...                 A complete row in the USA passes, with its name tidied and its
...                 coordinates turned into numbers. A row outside the USA is
...                 skipped. An incomplete or wrong row ends as ``expected_fail``:
...                 a person has to fix the data, so running it again will not help.

Resource            airports.resource


*** Tasks ***
Validate Every Queued Airport
    WHILE    True    limit=NONE
        ${airport}    Claim Task Object    ${VALIDATE_STAGE}
        IF    $airport is None    BREAK
        Validate Airport    ${airport}
    END


*** Keywords ***
Validate Airport
    [Documentation]    Records the outcome of one row; the reason goes into
    ...    ``last_error`` and the stage's exceptions.
    [Arguments]    ${airport}
    TRY
        ${cleaned}    Check Airport Row    ${airport}[payload]
    EXCEPT    Out of scope: *    type=GLOB    AS    ${reason}
        Finish Task Object    ${airport}[_id]    ${VALIDATE_STAGE}    skip    error_text=${reason}
    EXCEPT    Invalid row: *    type=GLOB    AS    ${reason}
        Finish Task Object    ${airport}[_id]    ${VALIDATE_STAGE}    expected_fail    error_text=${reason}
    EXCEPT    AS    ${error}
        Finish Task Object    ${airport}[_id]    ${VALIDATE_STAGE}    fail    error_text=${error}
    ELSE
        Finish Task Object    ${airport}[_id]    ${VALIDATE_STAGE}    pass    payload_update=${cleaned}
    END
