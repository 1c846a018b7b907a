*** Settings ***
Documentation       A failing item: its error is recorded, it is sent back for a
...                 rerun, the consumer of that stage picks it up again and the
...                 retry is recorded; a retry limit stops an item that keeps
...                 failing, and a deferred item waits until it is due.

Resource            ../../resources/common.resource
Library             DateTime
Library             OperatingSystem
Library             ScenarioHelper.py

Test Setup          Start From Empty Storage


*** Test Cases ***
Error Recorded With Separate Keywords Is Stored On The Stage
    ${to} =    Claim One Produced Object    1
    Update Exceptions    ${to}[_id]    1    Portal did not answer
    Update Status    ${to}[_id]    1    fail
    Set Stage End Time    ${to}[_id]    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal    ${stored}[last_error]    Portal did not answer
    Should Be Equal    ${stored}[stages][1][status]    fail
    @{expected} =    Create List    Portal did not answer
    Lists Should Be Equal    ${stored}[stages][1][exceptions]    ${expected}
    Should Be True    $stored['stages']['1']['duration'] >= 0

Error Given To Finish Task Object Is Stored On The Stage
    ${to} =    Claim One Produced Object    1
    ${returned} =    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    Should Be Equal    ${returned}[last_error]    Portal did not answer
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${returned}
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal    ${stored}[stages][1][status]    fail
    @{expected} =    Create List    Portal did not answer
    Lists Should Be Equal    ${stored}[stages][1][exceptions]    ${expected}
    Should Be True    $stored['stages']['1']['duration'] >= 0

Errors Of Repeated Failures Accumulate On The Stage
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=First timeout
    Set Task Object For Rerun    ${to}[_id]
    ${again} =    Claim Task Object    1
    Finish Task Object    ${again}[_id]    1    fail    error_text=Second timeout
    ${stored} =    Get Stored Task Object    ${to}[_id]
    @{expected} =    Create List    First timeout    Second timeout
    Lists Should Be Equal    ${stored}[stages][1][exceptions]    ${expected}
    Should Be Equal    ${stored}[last_error]    Second timeout

Item Set For Rerun Goes Back One Stage As Passed
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    ${returned} =    Set Task Object For Rerun    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${returned}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0
    Should Be Equal As Integers    ${stored}[retry_count]    1
    Should Be Equal    ${stored}[last_error]    Portal did not answer
    Should Be Equal    ${stored}[defer_until]    ${None}

Item Set For Rerun Is Picked Up Again By The Same Consumer
    [Documentation]    The item failed at stage 2 and goes back to stage 1 as
    ...    passed, which is where the stage 2 consumer takes its work from.
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    pass
    ${to} =    Claim Task Object    2
    Finish Task Object    ${to}[_id]    2    fail    error_text=Archive was full
    Set Task Object For Rerun    ${to}[_id]
    ${nothing} =    Claim Task Object    1
    Should Be Equal    ${nothing}    ${None}    The stage 1 consumer took an item meant for stage 2.
    ${again} =    Claim Task Object    2
    Should Be Equal    ${again}[_id]    ${to}[_id]
    Finish Task Object    ${again}[_id]    2    pass
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    2
    Should Be Equal    ${stored}[stages][2][status]    pass
    Should Be Equal As Integers    ${stored}[retry_count]    1

Claim Records Who Runs A Retry
    Set Environment Variable    BUILD_NUMBER    41
    ${to} =    Claim One Produced Object    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Dictionary Should Not Contain Key    ${stored}[stages][1]    retries
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    Set Task Object For Rerun    ${to}[_id]
    Set Environment Variable    BUILD_NUMBER    42
    ${again} =    Claim Task Object    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${retry} =    Set Variable    ${stored}[stages][1][retries][1]
    Should Be Equal    ${retry}[build_number]    42
    Should Match    ${retry}[executor]    Executor * on node *
    Should Be Equal    ${again}[stages][1][retries]    ${stored}[stages][1][retries]
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer again
    Set Task Object For Rerun    ${to}[_id]
    Set Environment Variable    BUILD_NUMBER    43
    Claim Task Object    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][1][retries][1][build_number]    42
    Should Be Equal    ${stored}[stages][1][retries][2][build_number]    43
    [Teardown]    Remove Environment Variable    BUILD_NUMBER

Legacy Consumer Records Retry Metadata Itself
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    ${other} =    Create Passed Task Object    invoice=INV-2
    ${not_retry} =    Find One Task Object By Status And Stage    pass    0
    Should Be Equal    ${not_retry}[_id]    ${other}[_id]
    ${result} =    Save Retry Metadata If Retry    ${not_retry}    1
    Should Be Equal    ${result}    ${None}
    Set Task Object For Rerun    ${to}[_id]
    ${retry} =    Find One Task Object By Status And Stage    pass    0
    Should Be Equal    ${retry}[_id]    ${to}[_id]
    Save Retry Metadata If Retry    ${retry}    1
    Set Retry Start Time    ${retry}[_id]    1    ${retry}[retry_count]
    Set Retry End Time    ${retry}[_id]    1    ${retry}[retry_count]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${record} =    Set Variable    ${stored}[stages][1][retries][1]
    Should Match    ${record}[executor]    Executor * on node *
    Should Be True    $record['startedAt'] <= $record['endedAt']
    ${stored} =    Get Stored Task Object    ${other}[_id]
    Should Not Contain    ${stored}[stages]    1

Item That Keeps Failing Ends As Fail At The Retry Limit
    ${to} =    Claim One Produced Object    1
    FOR    ${attempt}    IN RANGE    2
        Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
        ${returned} =    Set Task Object For Rerun    ${to}[_id]    max_retries=2
        Should Be Equal    ${returned}[status]    pass
        ${to} =    Claim Task Object    1
        Should Not Be Equal    ${to}    ${None}
    END
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    ${returned} =    Set Task Object For Rerun    ${to}[_id]    max_retries=2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${returned}
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal As Integers    ${stored}[stage]    1
    Should Be Equal As Integers    ${stored}[retry_count]    2
    Should Match Regexp    ${stored}[last_error]    (?i)retry limit
    Should Contain    ${stored}[last_error]    2
    Should Be Equal    ${stored}[stages][1][exceptions][-1]    ${stored}[last_error]
    ${nothing} =    Claim Task Object    1
    Should Be Equal    ${nothing}    ${None}    An item past its retry limit was queued again.

Retry Limit Of Zero Stops The First Rerun
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    Set Task Object For Rerun    ${to}[_id]    max_retries=0
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal As Integers    ${stored}[stage]    1
    Should Be Equal As Integers    ${stored}[retry_count]    0

Rerun With A Delay Is Not Claimed Before It Is Due
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    ${before} =    Get Current Date    UTC    result_format=datetime
    Set Task Object For Rerun    ${to}[_id]    defer_until=5 min
    ${after} =    Get Current Date    UTC    result_format=datetime
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0
    Instant Should Be Between    ${stored}[defer_until]    ${before}    ${after}    5 min
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}    A deferred item was claimed.
    ${listed} =    Find All Task Objects By Status And Stage    pass    0
    Should Be Empty    ${listed}
    ${claimed} =    Find One Task Object By Status And Stage    pass    0
    Should Be Equal    ${claimed}    ${None}    A deferred item was claimed.

Rerun Deferred To A Time Waits Until Then
    ${to} =    Claim One Produced Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    ${utc_before} =    Get Current Date    UTC    result_format=datetime
    ${local} =    Get Current Date    increment=2 hours
    ${utc_after} =    Get Current Date    UTC    result_format=datetime
    Set Task Object For Rerun    ${to}[_id]    defer_until=${local}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Instant Should Be Between    ${stored}[defer_until]    ${utc_before}    ${utc_after}    2 hours
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}    A deferred item was claimed.

Deferred Item Is Claimed Once It Is Due
    ${to} =    Create Passed Task Object    invoice=INV-1
    Set Task Object Retry Time    ${to}[_id]    2 s
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}    A deferred item was claimed before it was due.
    Sleep    2.5 s
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}[_id]    ${to}[_id]

Item Deferred To A Past Time Is Claimable
    ${to} =    Create Passed Task Object    invoice=INV-1
    ${past} =    Get Current Date    increment=-1 hour
    Set Task Object Retry Time    ${to}[_id]    ${past}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}[_id]    ${to}[_id]

Consumer Skips A Deferred Item And Takes The Next One
    ${deferred} =    Create Passed Task Object    invoice=INV-1
    ${waiting} =    Create Passed Task Object    invoice=INV-2
    Set Task Object Retry Time    ${deferred}[_id]    1 hour
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}[_id]    ${waiting}[_id]
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}
    ${stored} =    Get Stored Task Object    ${deferred}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0


*** Keywords ***
Claim One Produced Object
    [Documentation]    Produces one object and claims it for ``stage``.
    [Arguments]    ${stage}
    Create Passed Task Object    invoice=INV-1
    ${to} =    Claim Task Object    ${stage}
    Should Not Be Equal    ${to}    ${None}
    RETURN    ${to}

Instant Should Be Between
    [Documentation]    Checks that ``instant`` lies between ``earliest`` and
    ...    ``latest``, each moved by ``delay``, to the millisecond: MongoDB
    ...    keeps milliseconds, and `Get Current Date` rounds its text to the
    ...    nearest one.
    [Arguments]    ${instant}    ${earliest}    ${latest}    ${delay}
    ${low} =    Add Time To Date    ${earliest}    ${delay}    result_format=datetime
    ${low} =    Evaluate    $low.replace(microsecond=$low.microsecond // 1000 * 1000)
    ${high} =    Add Time To Date    ${latest}    ${delay}    result_format=datetime
    ${high} =    Add Time To Date    ${high}    1 ms    result_format=datetime
    Should Be True    $low <= $instant <= $high
    ...    ${instant} is not between ${low} and ${high} (UTC).
