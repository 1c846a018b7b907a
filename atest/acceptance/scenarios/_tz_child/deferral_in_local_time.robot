*** Settings ***
Documentation       Run by time_zones.robot in a child Robot Framework process whose
...                 ``TZ`` is far from UTC. Robot Framework's dates are local time
...                 without a zone: the library must store them as the same instant
...                 in UTC, and compare deferral and record stage times in UTC.
...                 The directory name starts with ``_``, so normal runs skip it.

Resource            ../../../resources/common.resource
Library             DateTime
Library             ../ScenarioHelper.py

Test Setup          Start From Empty Storage

Test Tags           tzchild


*** Variables ***
${EXPECTED_OFFSET}      ${None}


*** Test Cases ***
Process Runs In The Expected Time Zone
    ${offset} =    Evaluate    time.strftime("%z")    modules=time
    Log    Local time is UTC${offset}.
    IF    $EXPECTED_OFFSET is not None
        Should Be Equal    ${offset}    ${EXPECTED_OFFSET}
    END

Object Deferred To Local Time In An Hour Is Not Claimable
    ${to} =    Create Passed Task Object    invoice=INV-1
    ${earliest} =    Get Current Date    UTC    increment=1 hour    result_format=datetime
    ${local} =    Get Current Date    increment=1 hour
    ${latest} =    Get Current Date    UTC    increment=1 hour    result_format=datetime
    Set Task Object Retry Time    ${to}[_id]    ${local}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${expected} =    Local Time As UTC    ${local}
    Should Be Equal    ${stored}[defer_until]    ${expected}
    Instant Should Be Between    ${stored}[defer_until]    ${earliest}    ${latest}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}    An object deferred for an hour was claimed.
    ${listed} =    Find All Task Objects By Status And Stage    pass    0
    Should Be Empty    ${listed}

Object Deferred To Local Time An Hour Ago Is Claimable
    ${to} =    Create Passed Task Object    invoice=INV-1
    ${local} =    Get Current Date    increment=-1 hour
    Set Task Object Retry Time    ${to}[_id]    ${local}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${expected} =    Local Time As UTC    ${local}
    Should Be Equal    ${stored}[defer_until]    ${expected}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}[_id]    ${to}[_id]

Rerun Deferred To A Local Time Stores The Same Instant In UTC
    Create Passed Task Object    invoice=INV-1
    ${to} =    Claim Task Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal closed for the night
    ${local} =    Get Current Date    increment=1 hour
    Set Task Object For Rerun    ${to}[_id]    defer_until=${local}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${expected} =    Local Time As UTC    ${local}
    Should Be Equal    ${stored}[defer_until]    ${expected}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}    A rerun deferred for an hour was claimed.

Rerun Deferred With A Delay Waits That Long
    Create Passed Task Object    invoice=INV-1
    ${to} =    Claim Task Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal closed for the night
    ${earliest} =    Get Current Date    UTC    increment=5 min    result_format=datetime
    Set Task Object For Rerun    ${to}[_id]    defer_until=5 min
    ${latest} =    Get Current Date    UTC    increment=5 min    result_format=datetime
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Instant Should Be Between    ${stored}[defer_until]    ${earliest}    ${latest}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}    A rerun deferred for five minutes was claimed.

Stage Times Are UTC And Durations Are Small
    ${earliest} =    Get Current Date    UTC    result_format=datetime
    Create Passed Task Object    invoice=INV-1
    ${to} =    Claim Task Object    1
    Sleep    50 ms
    Finish Task Object    ${to}[_id]    1    pass
    ${latest} =    Get Current Date    UTC    result_format=datetime
    ${stored} =    Get Stored Task Object    ${to}[_id]
    FOR    ${instant}    IN
    ...    ${stored}[createdAt]    ${stored}[claimedAt]    ${stored}[updatedAt]
    ...    ${stored}[stages][0][endedAt]    ${stored}[stages][1][startedAt]
    ...    ${stored}[stages][1][endedAt]
        Instant Should Be Between    ${instant}    ${earliest}    ${latest}
    END
    FOR    ${stage}    IN    0    1
        ${duration} =    Set Variable    ${stored}[stages][${stage}][duration]
        Should Be True    0 <= $duration < 60000    Stage ${stage} took ${duration} ms.
    END
    Should Be True    $stored['stages']['1']['duration'] >= 50


*** Keywords ***
Local Time As UTC
    [Documentation]    Converts a local time from `Get Current Date` to UTC with
    ...    the offset of this process's time zone.
    [Arguments]    ${local}
    ${offset} =    Evaluate    time.strftime("%z")    modules=time
    ${sign} =    Evaluate    -1 if $offset.startswith("-") else 1
    ${shift} =    Evaluate
    ...    datetime.timedelta(hours=int($offset[1:3]), minutes=int($offset[3:5])) * ${sign}
    ...    modules=datetime
    ${time} =    Convert Date    ${local}    result_format=datetime
    ${utc} =    Evaluate    $time - $shift
    RETURN    ${utc}

Instant Should Be Between
    [Documentation]    Checks that ``instant`` lies between ``earliest`` and
    ...    ``latest`` (UTC), to the millisecond: MongoDB keeps milliseconds,
    ...    and `Get Current Date` rounds its text to the nearest one.
    [Arguments]    ${instant}    ${earliest}    ${latest}
    ${low} =    Evaluate    $earliest.replace(microsecond=$earliest.microsecond // 1000 * 1000)
    ${high} =    Evaluate    $latest + datetime.timedelta(milliseconds=1)    modules=datetime
    Should Be True    $low <= $instant <= $high
    ...    ${instant} is not between ${low} and ${high} (UTC).
