*** Settings ***
Documentation       The end of the process: counts every task object by stage and status.
...
...                 Fails when the counts do not add up to the rows the producer read,
...                 or when an object is still waiting for a stage.

Resource            airports.resource


*** Tasks ***
Report Counts Per Stage And Status
    ${counts}    Count Task Objects By Stage And Status
    ${total}    Print Count Table    ${counts}
    Should Be Equal As Integers    ${total}    ${ROWS_READ}
    ...    msg=The stages hold ${total} task objects but the producer read ${ROWS_READ} rows.
    ...    values=False
    ${unfinished}    Count Unfinished    ${counts}    last_stage=${ENRICH_STAGE}
    Should Be Equal As Integers    ${unfinished}    0
    ...    msg=${unfinished} task objects have no final status at the stage where they stopped.
    ...    values=False

Report Rows That Did Not Pass
    ${problems}    Find All Task Objects By Status
    ...    ${{["fail", "expected_fail", "skip"]}}
    Print Problem Rows    ${problems}

Report Rows That Passed After A Retry
    ${passed}    Find All Task Objects By Status And Stage    pass    ${ENRICH_STAGE}
    ${retried}    Evaluate    sum(1 for airport in $passed if airport["retry_count"] > 0)
    Log To Console    \n${retried} rows passed after the time zone service failed once.
