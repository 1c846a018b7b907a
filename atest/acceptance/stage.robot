*** Settings ***
Documentation       Stage keywords: moving task objects between stages and recording
...                 what happened in each. Each test reads back what was stored.

Resource            ../resources/common.resource
Library             DateTime
Library             OperatingSystem

Suite Setup         Run As Jenkins Build
Suite Teardown      Restore Jenkins Variables
Test Setup          Start From Empty Storage


*** Variables ***
&{JENKINS}              NODE_NAME=atest-node    EXECUTOR_NUMBER=3    BUILD_NUMBER=108    JOB_NAME=invoices
&{SAVED JENKINS}        &{EMPTY}
${EXECUTOR}             Executor 3 on node atest-node
${INVALID STATUS}       Argument 'status' must be one of expected_fail, fail, new, pass, processing, skip, got 'done' (str).


*** Test Cases ***
Finish Task Object Records Status, End Time And Duration Of The Stage
    ${to} =    Create Passed Task Object    invoice=1234
    ${to} =    Claim Task Object    1
    Start Stage Earlier    ${to}[_id]    1    milliseconds=1500
    ${before} =    Get UTC Now
    ${finished} =    Finish Task Object    ${to}[_id]    1    pass
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${finished}    ${stored}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[stage]    ${1}
    ${stage} =    Set Variable    ${stored}[stages][1]
    Should Be Equal    ${stage}[status]    pass
    Stored Time Should Be Between    ${stage}[endedAt]    ${before}    ${after}
    Should Be Equal    ${stored}[updatedAt]    ${stage}[endedAt]
    Duration Should Be Measured From Start    ${stage}
    Should Be True    ${stage}[duration] >= 1500
    Should Be Equal    ${stored}[last_error]    ${NONE}
    Dictionary Should Not Contain Key    ${stage}    exceptions

Finish Task Object With Error Text Records The Error
    ${to} =    Create Passed Task Object    invoice=1234
    ${to} =    Claim Task Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal    ${stored}[stages][1][status]    fail
    Should Be Equal    ${stored}[last_error]    Portal did not answer
    Should Be Equal    ${stored}[stages][1][exceptions]    ${{["Portal did not answer"]}}

Finish Task Object Refuses An Object That Is No Longer Claimed
    [Documentation]    A robot whose claim was released as stale, or that finishes
    ...    twice, cannot overwrite what is stored.
    ${to} =    Create Passed Task Object    invoice=1234
    ${to} =    Claim Task Object    1
    Release Stale Task Object    ${to}[_id]    older_than=0 s
    ${before} =    Get Stored Task Object    ${to}[_id]
    Run Keyword And Expect Error
    ...    Task object '${to}[_id]' is not processing at stage 1 (it is 'pass' at stage 0)*
    ...    Finish Task Object    ${to}[_id]    1    pass
    ${after} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${after}    ${before}
    ${to} =    Claim Task Object    1
    Finish Task Object    ${to}[_id]    1    fail    error_text=Portal did not answer
    Run Keyword And Expect Error
    ...    *is not processing at stage 1 (it is 'fail' at stage 1)*
    ...    Finish Task Object    ${to}[_id]    1    pass
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    fail

Finish Task Object Stores Text Starting With Dollar Verbatim
    ${to} =    Create Passed Task Object    invoice=1234
    ${to} =    Claim Task Object    1
    &{result} =    Create Dictionary    formula=$amount * 2    status=$status
    Finish Task Object    ${to}[_id]    1    fail    error_text=$stages.1.status    payload_update=${result}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[last_error]    $stages.1.status
    Should Be Equal    ${stored}[stages][1][exceptions]    ${{["$stages.1.status"]}}
    Should Be Equal    ${stored}[payload][formula]    $amount * 2
    Should Be Equal    ${stored}[payload][status]    $status
    Should Be Equal    ${stored}[status]    fail

Finish Task Object With Payload Update Sets Those Payload Keys
    ${to} =    Create Passed Task Object    invoice=1234    currency=EUR
    ${to} =    Claim Task Object    1
    &{result} =    Create Dictionary    total=${120}    currency=USD
    Finish Task Object    ${to}[_id]    1    pass    payload_update=${result}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[payload]    ${{{"invoice": "1234", "currency": "USD", "total": 120}}}
    Should Be Equal    ${stored}[stages][1][status]    pass

Finish Task Object Refuses An Unknown Status
    ${to} =    Create Passed Task Object    invoice=1234
    ${to} =    Claim Task Object    1
    Run Keyword And Expect Error    ${INVALID STATUS}
    ...    Finish Task Object    ${to}[_id]    1    done
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Set Task Object Stage Stores The Stage As A Number
    ${to} =    Create Passed Task Object    invoice=1234
    Set Task Object Stage    ${to}[_id]    2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stage]    ${2}
    Should Be Equal    ${stored}[status]    pass

Set Task Object Stage Refuses A Negative Stage
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error    Argument 'stage' must be 0 or more, got -1.
    ...    Set Task Object Stage    ${to}[_id]    -1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Increment Task Object Stage Moves The Object To The Next Stage
    ${to} =    Create Passed Task Object    invoice=1234
    Increment Task Object Stage    ${to}[_id]
    ${to} =    Increment Task Object Stage    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${to}    ${stored}
    Should Be Equal    ${stored}[stage]    ${2}

Decrement Task Object Stage Moves The Object To The Previous Stage
    ${to} =    Create Passed Task Object    invoice=1234
    Set Task Object Stage    ${to}[_id]    2
    ${to} =    Decrement Task Object Stage    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${to}    ${stored}
    Should Be Equal    ${stored}[stage]    ${1}

Decrement Task Object Stage Refuses To Go Below Stage Zero
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Task object '${to}[_id]' is at stage 0; its stage cannot go below 0.
    ...    Decrement Task Object Stage    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Update Stage Object Moves The Object And Records The Stage Start
    ${to} =    Create Passed Task Object    invoice=1234
    ${before} =    Get UTC Now
    Update Stage Object    ${to}[_id]    1
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stage]    ${1}
    Should Be Equal    ${stored}[status]    pass
    ${stage} =    Set Variable    ${stored}[stages][1]
    Stored Time Should Be Between    ${stage}[startedAt]    ${before}    ${after}
    Should Be Equal    ${stage}[executor]    ${EXECUTOR}
    Should Be Equal    ${stage}[build_number]    108
    Should Be Equal    ${stored}[stages][0]    ${to}[stages][0]

Update Status Sets Object And Stage Status
    ${to} =    Create Passed Task Object    invoice=1234
    Update Stage Object    ${to}[_id]    1
    ${updated} =    Update Status    ${to}[_id]    1    expected_fail
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${updated}    ${stored}
    Should Be Equal    ${stored}[status]    expected_fail
    Should Be Equal    ${stored}[stages][1][status]    expected_fail
    Should Be Equal    ${stored}[stages][0][status]    pass

Update Status Refuses A Stage That Is Not A Number
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error    *'current_stage'*'one'*
    ...    Update Status    ${to}[_id]    one    pass
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Update Exceptions Sets Last Error And Adds To The Stage's Exceptions
    ${to} =    Create Passed Task Object    invoice=1234
    Update Stage Object    ${to}[_id]    1
    Update Exceptions    ${to}[_id]    1    Timeout while saving the invoice
    Update Exceptions    ${to}[_id]    1    $invoice.total is missing
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[last_error]    $invoice.total is missing
    Should Be Equal
    ...    ${stored}[stages][1][exceptions]
    ...    ${{["Timeout while saving the invoice", "$invoice.total is missing"]}}
    Should Be Equal    ${stored}[status]    pass

Update Stage Exceptions Adds To The Stage's Exceptions Only
    ${to} =    Create Passed Task Object    invoice=1234
    Update Stage Exceptions    ${to}[_id]    Retrying after timeout    1
    Update Stage Exceptions    ${to}[_id]    $ne is not a status    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal
    ...    ${stored}[stages][1][exceptions]
    ...    ${{["Retrying after timeout", "$ne is not a status"]}}
    Should Be Equal    ${stored}[last_error]    ${NONE}

Set Stage Start Time Records Now As The Stage Start
    ${to} =    Create Passed Task Object    invoice=1234
    ${before} =    Get UTC Now
    Set Stage Start Time    ${to}[_id]    1
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Stored Time Should Be Between    ${stored}[stages][1][startedAt]    ${before}    ${after}
    Should Be Equal    ${stored}[stage]    ${0}

Set Stage End Time Stores End Time And Duration From The Start
    ${to} =    Create Passed Task Object    invoice=1234
    Set Stage Start Time    ${to}[_id]    1
    Start Stage Earlier    ${to}[_id]    1    milliseconds=2250
    ${before} =    Get UTC Now
    Set Stage End Time    ${to}[_id]    1
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${stage} =    Set Variable    ${stored}[stages][1]
    Stored Time Should Be Between    ${stage}[endedAt]    ${before}    ${after}
    Duration Should Be Measured From Start    ${stage}
    Should Be True    ${stage}[duration] >= 2250

Set Stage End Time Right After The Start Stores A Duration Of Zero Or More
    ${to} =    Create Passed Task Object    invoice=1234
    Set Stage Start Time    ${to}[_id]    1
    Set Stage End Time    ${to}[_id]    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Duration Should Be Measured From Start    ${stored}[stages][1]

Set Stage End Time Without A Start Time Stores No Duration
    ${to} =    Create Passed Task Object    invoice=1234
    Set Stage End Time    ${to}[_id]    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][1][duration]    ${NONE}
    Should Be True    isinstance($stored["stages"]["1"]["endedAt"], datetime.datetime)

Set Stage Status Sets The Status Of That Stage Only
    ${to} =    Create Passed Task Object    invoice=1234
    Set Stage Status    ${to}[_id]    1    fail
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][1][status]    fail
    Should Be Equal    ${stored}[status]    pass

Set Stage Status Refuses An Unknown Status
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error    ${INVALID STATUS}
    ...    Set Stage Status    ${to}[_id]    1    done
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Set Stage Executor Records This Robot's Executor
    ${to} =    Create Passed Task Object    invoice=1234
    Set Stage Executor    ${to}[_id]    2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][2][executor]    ${EXECUTOR}

Set Stage Build Number Records The Build Number
    ${to} =    Create Passed Task Object    invoice=1234
    Set Stage Build Number    ${to}[_id]    2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][2][build_number]    108


*** Keywords ***
Start Stage Earlier
    [Documentation]    Moves the stored start time of ``stage`` back, as if the work took longer.
    [Arguments]    ${object_id}    ${stage}    ${milliseconds}
    ${stored} =    Get Stored Task Object    ${object_id}
    ${earlier} =    Evaluate
    ...    $stored["stages"]["${stage}"]["startedAt"] - datetime.timedelta(milliseconds=${milliseconds})
    &{filter} =    Create Dictionary    _id=${stored}[_id]
    &{fields} =    Create Dictionary    stages.${stage}.startedAt=${earlier}
    &{update} =    Create Dictionary    $set=${fields}
    Update Task Object And Timestamp    ${filter}    ${update}

Duration Should Be Measured From Start
    [Documentation]    The stored duration is a whole number of ms from startedAt to endedAt.
    [Arguments]    ${stage}
    ${expected} =    Evaluate    ($stage["endedAt"] - $stage["startedAt"]) // datetime.timedelta(milliseconds=1)
    Should Be True    isinstance($stage["duration"], int) and not isinstance($stage["duration"], bool)
    ...    Duration ${stage}[duration] is not a whole number.
    Should Be Equal    ${stage}[duration]    ${expected}
    Should Be True    ${stage}[duration] >= 0

Get UTC Now
    [Documentation]    The current time as MongoDB stores it: UTC, whole milliseconds.
    ${now} =    Get Current Date    UTC    result_format=datetime
    ${now} =    Evaluate    $now.replace(microsecond=$now.microsecond // 1000 * 1000)
    RETURN    ${now}

Stored Time Should Be Between
    [Documentation]    Checks a stored time: UTC, whole milliseconds, within the bounds.
    [Arguments]    ${stored}    ${earliest}    ${latest}
    Should Be True    isinstance($stored, datetime.datetime) and $stored.tzinfo is None
    Should Be Equal    ${stored.microsecond % 1000}    ${0}
    Should Be True    $earliest <= $stored <= $latest
    ...    ${stored} is not between ${earliest} and ${latest} (UTC).

Run As Jenkins Build
    [Documentation]    Sets Jenkins' variables to known values for this suite.
    ${saved} =    Create Dictionary
    FOR    ${name}    ${value}    IN    &{JENKINS}
        ${previous} =    Evaluate    os.environ.get($name)
        Set To Dictionary    ${saved}    ${name}=${previous}
        Set Environment Variable    ${name}    ${value}
    END
    Set Suite Variable    ${SAVED JENKINS}    ${saved}

Restore Jenkins Variables
    [Documentation]    Gives Jenkins' variables back the values they had before the suite.
    FOR    ${name}    ${value}    IN    &{SAVED JENKINS}
        IF    $value is None
            Remove Environment Variable    ${name}
        ELSE
            Set Environment Variable    ${name}    ${value}
        END
    END
