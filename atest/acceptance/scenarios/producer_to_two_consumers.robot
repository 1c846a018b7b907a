*** Settings ***
Documentation       A producer fills the queue and two consumer stages work it empty.
...                 Every object ends passed at stage 2 with the timings of both
...                 stages, whether the consumers use `Claim Task Object` and
...                 `Finish Task Object` or the keyword sequence of
...                 task-object-storage 1.4, and the counts add up on the way.

Resource            ../../resources/common.resource
Library             String
Library             ScenarioHelper.py

Test Setup          Start From Empty Storage


*** Variables ***
@{BULK_INVOICES}        INV-1    INV-2    INV-3    INV-4
@{SINGLE_INVOICES}      INV-5    INV-6


*** Test Cases ***
Claiming Consumers Pass Every Object Through Both Stages
    Produce Passed Objects In Bulk And Singly
    ${handled} =    Run Claiming Consumer    1
    Should Be Equal As Integers    ${handled}    6
    Counts Should Be    1=pass:6
    ${handled} =    Run Claiming Consumer    2
    Should Be Equal As Integers    ${handled}    6
    Counts Should Be    2=pass:6
    Every Object Should Have Passed Both Stages

Legacy Keyword Sequence Passes Every Object Through Both Stages
    Produce New Objects And Pass Them One By One
    ${handled} =    Run Legacy Consumer    1
    Should Be Equal As Integers    ${handled}    6
    Counts Should Be    1=pass:6
    ${handled} =    Run Legacy Consumer    2
    Should Be Equal As Integers    ${handled}    6
    Counts Should Be    2=pass:6
    Every Object Should Have Passed Both Stages

Consumers Taking Turns Empty The Queue Together
    [Documentation]    The second stage starts while the first is still
    ...    working: it only ever sees objects the first stage has passed.
    Produce Passed Objects In Bulk And Singly
    ${first} =    Claim Task Object    1
    ${second} =    Claim Task Object    2
    Should Be Equal    ${second}    ${None}    Stage 2 took an object stage 1 had not finished.
    &{result} =    Create Dictionary    handled_by_1=${True}
    Finish Task Object    ${first}[_id]    1    pass    payload_update=${result}
    Counts Should Be    0=pass:5    1=pass:1
    ${second} =    Handle With Claim    2
    Should Be Equal    ${second}[_id]    ${first}[_id]
    WHILE    True    limit=20
        ${one} =    Handle With Claim    1
        ${two} =    Handle With Legacy Sequence    2
        IF    $one is None and $two is None    BREAK
    END
    Counts Should Be    2=pass:6
    Every Object Should Have Passed Both Stages

Counts Add Up While Objects Are Claimed And Finished
    Produce Passed Objects In Bulk And Singly
    ${claimed} =    Claim Task Object    1
    ${failed} =    Claim Task Object    1
    Finish Task Object    ${failed}[_id]    1    fail    error_text=Portal did not answer
    ${skipped} =    Claim Task Object    1
    Finish Task Object    ${skipped}[_id]    1    skip
    Counts Should Be    0=pass:3    1=fail:1    1=processing:1    1=skip:1
    ${counts} =    Count Task Objects By Stage And Status
    ${total} =    Evaluate    sum(row["count"] for row in $counts)
    Should Be Equal As Integers    ${total}    6
    ${processing} =    Count Stored Task Objects    status=processing
    Should Be Equal As Integers    ${processing}    1
    ${stored} =    Get Stored Task Object    ${claimed}[_id]
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal As Integers    ${stored}[stage]    1

Objects Are Claimed Highest Priority First Then Oldest First
    &{payload} =    Create Dictionary    invoice=INV-low
    ${low} =    Create New Task Object    ${payload}    priority=0    finished=True
    ${urgent} =    Create New Task Object    ${payload}    priority=5    finished=True
    ${older} =    Create New Task Object    ${payload}    priority=1    finished=True
    ${newer} =    Create New Task Object    ${payload}    priority=1    finished=True
    @{order} =    Create List
    WHILE    True    limit=10
        ${to} =    Handle With Claim    1
        IF    $to is None    BREAK
        Append To List    ${order}    ${to}[_id]
    END
    @{expected} =    Create List    ${urgent}[_id]    ${older}[_id]    ${newer}[_id]    ${low}[_id]
    Lists Should Be Equal    ${order}    ${expected}


*** Keywords ***
Produce Passed Objects In Bulk And Singly
    [Documentation]    The producer of the `Claim Task Object` flow: objects are
    ...    created as already passed at stage 0, four in one call and two singly.
    @{rows} =    Create List
    FOR    ${invoice}    IN    @{BULK_INVOICES}
        &{row} =    Create Dictionary    invoice=${invoice}    amount=${10}
        Append To List    ${rows}    ${row}
    END
    ${created} =    Create New Task Objects    ${rows}    finished=True
    Length Should Be    ${created}    4
    FOR    ${invoice}    IN    @{SINGLE_INVOICES}
        &{payload} =    Create Dictionary    invoice=${invoice}    amount=${10}
        ${to} =    Create New Task Object    ${payload}    finished=True
        Should Be Equal    ${to}[status]    pass
    END
    Counts Should Be    0=pass:6
    ${stored} =    Get Stored Task Object    ${created}[0][_id]
    Stage Should Have Passed With Timings    ${stored}    0

Produce New Objects And Pass Them One By One
    [Documentation]    The producer of task-object-storage 1.4: create the object
    ...    as new, then record stage 0 with separate keywords.
    @{rows} =    Create List
    FOR    ${invoice}    IN    @{BULK_INVOICES}
        &{row} =    Create Dictionary    invoice=${invoice}    amount=${10}
        Append To List    ${rows}    ${row}
    END
    @{created} =    Create New Task Objects    ${rows}
    FOR    ${invoice}    IN    @{SINGLE_INVOICES}
        &{payload} =    Create Dictionary    invoice=${invoice}    amount=${10}
        ${to} =    Create New Task Object    ${payload}
        Append To List    ${created}    ${to}
    END
    Counts Should Be    0=new:6
    FOR    ${to}    IN    @{created}
        Should Be Equal    ${to}[status]    new
        Set Stage Start Time    ${to}[_id]    0
        Set Stage Executor    ${to}[_id]    0
        Update Status    ${to}[_id]    0    pass
        Set Stage End Time    ${to}[_id]    0
    END
    Counts Should Be    0=pass:6
    ${stored} =    Get Stored Task Object    ${created}[0][_id]
    Stage Should Have Passed With Timings    ${stored}    0

Run Claiming Consumer
    [Documentation]    Works stage ``stage`` until nothing is waiting; returns how
    ...    many objects it handled.
    [Arguments]    ${stage}
    ${handled} =    Set Variable    ${0}
    WHILE    True    limit=50
        ${to} =    Handle With Claim    ${stage}
        IF    $to is None    BREAK
        ${handled} =    Evaluate    ${handled} + 1
    END
    RETURN    ${handled}

Run Legacy Consumer
    [Arguments]    ${stage}
    ${handled} =    Set Variable    ${0}
    WHILE    True    limit=50
        ${to} =    Handle With Legacy Sequence    ${stage}
        IF    $to is None    BREAK
        ${handled} =    Evaluate    ${handled} + 1
    END
    RETURN    ${handled}

Handle With Claim
    [Documentation]    One item of a consumer: claim, work, finish. Returns the
    ...    claimed object, or None when nothing is waiting.
    [Arguments]    ${stage}
    ${to} =    Claim Task Object    ${stage}
    IF    $to is None    RETURN    ${None}
    Should Be Equal    ${to}[status]    processing
    Should Be Equal As Integers    ${to}[stage]    ${stage}
    &{result} =    Create Dictionary    handled_by_${stage}=${True}
    ${finished} =    Finish Task Object    ${to}[_id]    ${stage}    pass    payload_update=${result}
    Should Be Equal    ${finished}[status]    pass
    RETURN    ${to}

Handle With Legacy Sequence
    [Documentation]    One item the way task-object-storage 1.4 consumers work:
    ...    claim from the previous stage, move to this stage, record the outcome
    ...    and the end time.
    [Arguments]    ${stage}
    ${previous} =    Evaluate    ${stage} - 1
    ${to} =    Find One Task Object By Status And Stage    pass    ${previous}
    IF    $to is None    RETURN    ${None}
    Should Be Equal    ${to}[status]    processing
    Update Stage Object    ${to}[_id]    ${stage}
    Add Key Value Pair To Payload    ${to}[_id]    handled_by_${stage}    ${True}
    Update Status    ${to}[_id]    ${stage}    pass
    Set Stage End Time    ${to}[_id]    ${stage}
    RETURN    ${to}

Counts Should Be
    [Documentation]    Compares `Count Task Objects By Stage And Status` with
    ...    ``stage=status:count`` items; stages and statuses not given must not
    ...    appear.
    [Arguments]    @{expected}
    @{wanted} =    Create List
    FOR    ${item}    IN    @{expected}
        ${stage}    ${rest} =    Split String    ${item}    =
        ${status}    ${count} =    Split String    ${rest}    :
        &{row} =    Create Dictionary    stage=${{int($stage)}}    status=${status}    count=${{int($count)}}
        Append To List    ${wanted}    ${row}
    END
    ${counts} =    Count Task Objects By Stage And Status
    Lists Should Be Equal    ${counts}    ${wanted}

Every Object Should Have Passed Both Stages
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    6
    ${passed} =    Find All Task Objects By Status And Stage    pass    2
    Length Should Be    ${passed}    6
    @{invoices} =    Create List
    FOR    ${to}    IN    @{passed}
        ${stored} =    Get Stored Task Object    ${to}[_id]
        Should Be Equal    ${stored}[status]    pass
        Should Be Equal As Integers    ${stored}[stage]    2
        Should Be True    $stored['payload']['handled_by_1'] is True
        Should Be True    $stored['payload']['handled_by_2'] is True
        Stage Should Have Passed With Timings    ${stored}    1
        Stage Should Have Passed With Timings    ${stored}    2
        Should Be True    $stored['stages']['1']['endedAt'] <= $stored['stages']['2']['startedAt']
        Append To List    ${invoices}    ${stored}[payload][invoice]
    END
    Sort List    ${invoices}
    ${all} =    Combine Lists    ${BULK_INVOICES}    ${SINGLE_INVOICES}
    Lists Should Be Equal    ${invoices}    ${all}

Stage Should Have Passed With Timings
    [Arguments]    ${stored}    ${stage}
    Dictionary Should Contain Key    ${stored}[stages]    ${stage}
    ${record} =    Set Variable    ${stored}[stages][${stage}]
    Should Be Equal    ${record}[status]    pass
    Should Not Be Empty    ${record}[executor]
    Should Be True    isinstance($record['duration'], int) and $record['duration'] >= 0
    ...    Stage ${stage} duration is ${record}[duration].
    Should Be True    $record['startedAt'] <= $record['endedAt']
    ${elapsed} =    Milliseconds Between    ${record}[startedAt]    ${record}[endedAt]
    Should Be Equal As Integers    ${record}[duration]    ${elapsed}
