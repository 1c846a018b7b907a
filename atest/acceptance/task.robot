*** Settings ***
Documentation       Task keywords: creating, finding, claiming and labelling task
...                 objects. Each test reads back what the keyword stored.

Resource            ../resources/common.resource
Library             DateTime
Library             OperatingSystem

Suite Setup         Run As Jenkins Build
Suite Teardown      Restore Jenkins Variables
Test Setup          Start From Empty Storage


*** Variables ***
&{JENKINS}              NODE_NAME=atest-node    EXECUTOR_NUMBER=7    BUILD_NUMBER=42    JOB_NAME=invoices
&{SAVED JENKINS}        &{EMPTY}
${EXECUTOR}             Executor 7 on node atest-node
${INVALID STATUS}       Argument 'status' must be one of expected_fail, fail, new, pass, processing, skip, got 'done' (str).


*** Test Cases ***
Create New Task Object Stores A New Object At Stage Zero
    ${before} =    Get UTC Now
    &{payload} =    Create Dictionary    invoice=1234    amount=${99.5}
    ${to} =    Create New Task Object    ${payload}
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    new
    Should Be Equal    ${stored}[stage]    ${0}
    Should Be Equal    ${stored}[priority]    ${0}
    Should Be Equal    ${stored}[payload]    ${payload}
    Should Be Empty    ${stored}[analytics]
    Should Be Empty    ${stored}[stages]
    Should Be Equal    ${stored}[last_error]    ${NONE}
    Should Be Equal    ${stored}[retry_count]    ${0}
    Should Be Equal    ${stored}[defer_until]    ${NONE}
    Dictionary Should Not Contain Key    ${stored}    reference
    Stored Time Should Be Between    ${stored}[createdAt]    ${before}    ${after}
    Should Be Equal    ${stored}[updatedAt]    ${stored}[createdAt]
    Should Be Equal    ${to}    ${stored}

Create New Task Object Stores Process Name And Priority
    &{payload} =    Create Dictionary    invoice=1234
    ${to} =    Create New Task Object    ${payload}    process_name=invoicing    priority=5
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[process_name]    invoicing
    Should Be Equal    ${stored}[priority]    ${5}

Create New Task Object With Finished Stores It As Passed At Stage Zero
    ${before} =    Get UTC Now
    &{payload} =    Create Dictionary    invoice=1234
    ${to} =    Create New Task Object    ${payload}    finished=True
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[stage]    ${0}
    ${stage} =    Set Variable    ${stored}[stages][0]
    Should Be Equal    ${stage}[status]    pass
    Stored Time Should Be Between    ${stage}[startedAt]    ${before}    ${after}
    Should Be Equal    ${stage}[endedAt]    ${stage}[startedAt]
    Should Be Equal    ${stage}[duration]    ${0}
    Should Be Equal    ${stage}[executor]    ${EXECUTOR}
    Should Be Equal    ${stage}[build_number]    42
    Should Be Equal    ${stored}[executor]    ${EXECUTOR}
    Should Be Equal    ${stored}[build_number]    42
    Should Be Equal    ${stored}[job_name]    invoices

Create New Task Object With Existing Reference Returns The Existing Object
    &{first} =    Create Dictionary    invoice=1234    amount=${10}
    &{second} =    Create Dictionary    invoice=1234    amount=${20}
    ${created} =    Create New Task Object    ${first}    reference=INV-1234
    ${again} =    Create New Task Object    ${second}    reference=INV-1234
    Should Be Equal    ${again}[_id]    ${created}[_id]
    ${count} =    Count Stored Task Objects
    Should Be Equal    ${count}    ${1}
    ${stored} =    Get Stored Task Object    ${created}[_id]
    Should Be Equal    ${stored}[reference]    INV-1234
    Should Be Equal    ${stored}[payload][amount]    ${10}

Create New Task Objects Stores Every Payload In Order
    ${rows} =    Evaluate    [{"row": number} for number in range(5)]
    ${created} =    Create New Task Objects    ${rows}    process_name=invoicing    batch_size=2
    Length Should Be    ${created}    5
    ${count} =    Count Stored Task Objects    status=new    stage=${0}    process_name=invoicing
    Should Be Equal    ${count}    ${5}
    FOR    ${index}    ${to}    IN ENUMERATE    @{created}
        ${stored} =    Get Stored Task Object    ${to}[_id]
        Should Be Equal    ${stored}[payload][row]    ${index}
    END

Create New Task Objects With Finished And Reference Field Skips Rows Already Stored
    &{first} =    Create Dictionary    invoice=INV-1    amount=${10}
    &{second} =    Create Dictionary    invoice=INV-2    amount=${20}
    &{third} =    Create Dictionary    invoice=INV-3    amount=${30}
    @{monday} =    Create List    ${first}    ${second}
    ${created} =    Create New Task Objects    ${monday}    finished=True    reference_field=invoice
    &{second changed} =    Create Dictionary    invoice=INV-2    amount=${99}
    @{tuesday} =    Create List    ${second changed}    ${third}
    ${again} =    Create New Task Objects    ${tuesday}    finished=True    reference_field=invoice
    Should Be Equal    ${again}[0][_id]    ${created}[1][_id]
    ${count} =    Count Stored Task Objects
    Should Be Equal    ${count}    ${3}
    ${count} =    Count Stored Task Objects    status=pass    stage=${0}
    Should Be Equal    ${count}    ${3}
    ${stored} =    Get Stored Task Object    ${created}[1][_id]
    Should Be Equal    ${stored}[reference]    INV-2
    Should Be Equal    ${stored}[payload][amount]    ${20}
    ${stored} =    Get Stored Task Object    ${again}[1][_id]
    Should Be Equal    ${stored}[reference]    INV-3
    Should Be Equal    ${stored}[stages][0][status]    pass

Create New Task Objects With One Bad Payload Creates Nothing
    &{good} =    Create Dictionary    invoice=INV-1
    @{rows} =    Create List    ${good}    not a dictionary
    Run Keyword And Expect Error    Argument 'payloads' must be a dictionary, got 'not a dictionary' (str).
    ...    Create New Task Objects    ${rows}
    ${count} =    Count Stored Task Objects
    Should Be Equal    ${count}    ${0}

Find Task Object By Reference Returns The Object With That Reference
    &{payload} =    Create Dictionary    invoice=1234
    ${created} =    Create New Task Object    ${payload}    reference=INV-1234
    ${found} =    Find Task Object By Reference    INV-1234
    ${stored} =    Get Stored Task Object    ${created}[_id]
    Should Be Equal    ${found}    ${stored}
    ${missing} =    Find Task Object By Reference    INV-9999
    Should Be Equal    ${missing}    ${NONE}

Find Task Object By Id Returns The Stored Object Unchanged
    ${created} =    Create Passed Task Object    invoice=1234
    ${found} =    Find Task Object By Id    ${created}[_id]
    ${stored} =    Get Stored Task Object    ${created}[_id]
    Should Be Equal    ${found}    ${stored}
    Should Be Equal    ${stored}[updatedAt]    ${created}[updatedAt]
    Should Be Equal    ${stored}[status]    pass
    ${by text} =    Find Task Object By Id    ${{str($created["_id"])}}
    Should Be Equal    ${by text}    ${stored}

Find Task Object By Id Fails For An Invalid Or Unknown Id
    Run Keyword And Expect Error
    ...    Argument 'object_id' must be an ObjectId or its 24-character hex text, got 'INV-1234' (str).
    ...    Find Task Object By Id    INV-1234
    Run Keyword And Expect Error    No task object has the id '0123456789abcdef01234567'.
    ...    Find Task Object By Id    0123456789abcdef01234567

Find All Task Objects By Status And Stage Lists Matching Objects Without Claiming Them
    ${passed} =    Create Passed Task Object    name=passed
    ${failed} =    Create Failed Task Object At Stage    1    name=failed
    ${expected} =    Create Failed Task Object At Stage    1    name=expected    status=expected_fail
    ${elsewhere} =    Create Failed Task Object At Stage    2    name=elsewhere
    @{failures} =    Create List    fail    expected_fail
    ${found} =    Find All Task Objects By Status And Stage    ${failures}    1
    Should Be Equal    ${{[to["payload"]["name"] for to in $found]}}    ${{["failed", "expected"]}}
    ${stored} =    Get Stored Task Object    ${failed}[_id]
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal    ${stored}[updatedAt]    ${failed}[updatedAt]
    Dictionary Should Not Contain Key    ${stored}    claimedAt
    ${found} =    Find All Task Objects By Status And Stage    stages=${2}
    Should Be Equal    ${found}[0][_id]    ${elsewhere}[_id]
    Length Should Be    ${found}    1

Find All Task Objects By Status And Stage Lists Higher Priority First, Then Oldest
    ${old} =    Create Passed Task Object    name=old
    ${new} =    Create Passed Task Object    name=new
    &{payload} =    Create Dictionary    name=urgent
    ${urgent} =    Create New Task Object    ${payload}    priority=9    finished=True
    ${found} =    Find All Task Objects By Status And Stage    pass    0
    Should Be Equal    ${{[to["payload"]["name"] for to in $found]}}    ${{["urgent", "old", "new"]}}

Find All Task Objects By Status And Stage Leaves Out Deferred Objects
    ${waiting} =    Create Passed Task Object    name=waiting
    ${deferred} =    Create Passed Task Object    name=deferred
    Set Task Object Retry Time    ${deferred}[_id]    10 min
    ${found} =    Find All Task Objects By Status And Stage    pass    0
    Should Be Equal    ${{[to["payload"]["name"] for to in $found]}}    ${{["waiting"]}}
    ${count} =    Count Stored Task Objects    status=pass    stage=${0}
    Should Be Equal    ${count}    ${2}

Find All Task Objects By Status Lists Objects At Any Stage
    ${new} =    Create Task Object    name=new
    ${failed} =    Create Failed Task Object At Stage    1    name=failed one
    ${failed again} =    Create Failed Task Object At Stage    3    name=failed three
    ${found} =    Find All Task Objects By Status    fail
    Should Be Equal    ${{[to["payload"]["name"] for to in $found]}}    ${{["failed one", "failed three"]}}
    ${stored} =    Get Stored Task Object    ${failed}[_id]
    Should Be Equal    ${stored}[status]    fail

Find All Task Objects By Stage Lists Objects With Any Status
    ${new} =    Create Task Object    name=new
    ${failed} =    Create Failed Task Object At Stage    1    name=failed
    ${passed} =    Create Passed Task Object    name=passed
    Set Task Object Stage    ${passed}[_id]    1
    ${found} =    Find All Task Objects By Stage    1
    Should Be Equal    ${{[to["payload"]["name"] for to in $found]}}    ${{["failed", "passed"]}}
    @{stages} =    Create List    ${0}    ${1}
    ${found} =    Find All Task Objects By Stage    ${stages}
    Length Should Be    ${found}    3

Find All Failed Task Objects Lists Only Status Fail
    ${failed} =    Create Failed Task Object At Stage    1    name=failed
    ${expected} =    Create Failed Task Object At Stage    1    name=expected    status=expected_fail
    ${passed} =    Create Passed Task Object    name=passed
    ${found} =    Find All Failed Task Objects
    Length Should Be    ${found}    1
    ${stored} =    Get Stored Task Object    ${failed}[_id]
    Should Be Equal    ${found}[0]    ${stored}

Find One Task Object By Status And Stage Claims The Object In Place
    ${to} =    Create Task Object    invoice=1234
    ${before} =    Get UTC Now
    ${claimed} =    Find One Task Object By Status And Stage    new    0
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${claimed}    ${stored}
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal    ${stored}[stage]    ${0}
    Should Be Equal    ${stored}[executor]    ${EXECUTOR}
    Should Be Equal    ${stored}[build_number]    42
    Should Be Equal    ${stored}[job_name]    invoices
    Stored Time Should Be Between    ${stored}[claimedAt]    ${before}    ${after}
    Should Be Equal    ${stored}[updatedAt]    ${stored}[claimedAt]
    Should Be Equal    ${stored}[claimed_from]    ${{{"status": "new", "stage": 0}}}
    Should Be Empty    ${stored}[stages]

Find One Task Object By Status And Stage Returns None When Nothing Matches
    ${to} =    Create Task Object    invoice=1234
    ${claimed} =    Find One Task Object By Status And Stage    pass    0
    Should Be Equal    ${claimed}    ${NONE}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    new
    Should Be Equal    ${stored}[updatedAt]    ${to}[updatedAt]

Find One Task Object By Status And Stage Claims Only Objects Matching Amend
    &{payload} =    Create Dictionary    invoice=1
    ${other} =    Create New Task Object    ${payload}    process_name=payroll
    ${mine} =    Create New Task Object    ${payload}    process_name=invoicing
    &{amend} =    Create Dictionary    process_name=invoicing
    ${claimed} =    Find One Task Object By Status And Stage    new    0    amend=${amend}
    Should Be Equal    ${claimed}[_id]    ${mine}[_id]
    ${count} =    Count Stored Task Objects    status=processing
    Should Be Equal    ${count}    ${1}
    ${stored} =    Get Stored Task Object    ${other}[_id]
    Should Be Equal    ${stored}[status]    new

Find One Task Object By Status Claims At Any Stage
    ${failed} =    Create Failed Task Object At Stage    2    name=failed
    ${claimed} =    Find One Task Object By Status    fail
    Should Be Equal    ${claimed}[_id]    ${failed}[_id]
    ${stored} =    Get Stored Task Object    ${failed}[_id]
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal    ${stored}[stage]    ${2}
    Should Be Equal    ${stored}[claimed_from]    ${{{"status": "fail", "stage": 2}}}
    ${none left} =    Find One Task Object By Status    fail
    Should Be Equal    ${none left}    ${NONE}

Find One Task Object By Stage Claims Whatever The Status
    ${failed} =    Create Failed Task Object At Stage    1    name=failed    status=expected_fail
    ${claimed} =    Find One Task Object By Stage    1
    Should Be Equal    ${claimed}[_id]    ${failed}[_id]
    ${stored} =    Get Stored Task Object    ${failed}[_id]
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal    ${stored}[claimed_from]    ${{{"status": "expected_fail", "stage": 1}}}

Claim Task Object Starts The Next Stage In The Claim
    ${to} =    Create Passed Task Object    invoice=1234
    ${before} =    Get UTC Now
    ${claimed} =    Claim Task Object    1
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${claimed}    ${stored}
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal    ${stored}[stage]    ${1}
    Stored Time Should Be Between    ${stored}[claimedAt]    ${before}    ${after}
    Should Be Equal    ${stored}[stages][1][startedAt]    ${stored}[claimedAt]
    Should Be Equal    ${stored}[stages][1][executor]    ${EXECUTOR}
    Should Be Equal    ${stored}[stages][1][build_number]    42
    Should Be Equal    ${stored}[executor]    ${EXECUTOR}
    Should Be Equal    ${stored}[job_name]    invoices
    Should Be Equal    ${stored}[claimed_from]    ${{{"status": "pass", "stage": 0}}}
    Should Be Equal    ${stored}[stages][0][status]    pass

Claim Task Object Takes Highest Priority First, Then Oldest
    ${old low} =    Create Passed Task Object    name=old low
    &{payload} =    Create Dictionary    name=older high
    ${older high} =    Create New Task Object    ${payload}    priority=5    finished=True
    &{payload} =    Create Dictionary    name=newer high
    ${newer high} =    Create New Task Object    ${payload}    priority=5    finished=True
    ${first} =    Claim Task Object    1
    ${second} =    Claim Task Object    1
    ${third} =    Claim Task Object    1
    ${fourth} =    Claim Task Object    1
    Should Be Equal    ${first}[_id]    ${older high}[_id]
    Should Be Equal    ${second}[_id]    ${newer high}[_id]
    Should Be Equal    ${third}[_id]    ${old low}[_id]
    Should Be Equal    ${fourth}    ${NONE}
    ${count} =    Count Stored Task Objects    status=processing    stage=${1}
    Should Be Equal    ${count}    ${3}

Claim Task Object Follows A Given Sort Condition
    ${older} =    Create Passed Task Object    name=older
    ${newer} =    Create Passed Task Object    name=newer
    ${newest first} =    Evaluate    [("_id", -1)]
    ${claimed} =    Claim Task Object    1    sort_condition=${newest first}
    Should Be Equal    ${claimed}[_id]    ${newer}[_id]
    ${stored} =    Get Stored Task Object    ${older}[_id]
    Should Be Equal    ${stored}[status]    pass

Claim Task Object Does Not Claim A Deferred Object
    ${to} =    Create Passed Task Object    invoice=1234
    Set Task Object Retry Time    ${to}[_id]    10 min
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${NONE}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[stage]    ${0}
    Dictionary Should Not Contain Key    ${stored}    claimedAt

Claim Task Object Claims An Object Whose Deferral Has Passed
    ${to} =    Create Passed Task Object    invoice=1234
    ${an hour ago} =    Get Current Date    increment=-1 hour    result_format=datetime
    Set Task Object Retry Time    ${to}[_id]    ${an hour ago}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}[_id]    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    processing

Claim Task Object Takes The Given Statuses From The Previous Stage
    ${failed} =    Create Failed Task Object At Stage    1    name=failed
    ${passed} =    Create Passed Task Object    name=passed
    ${claimed} =    Claim Task Object    2    statuses=fail
    Should Be Equal    ${claimed}[_id]    ${failed}[_id]
    ${stored} =    Get Stored Task Object    ${failed}[_id]
    Should Be Equal    ${stored}[stage]    ${2}
    Should Be Equal    ${stored}[claimed_from]    ${{{"status": "fail", "stage": 1}}}
    ${stored} =    Get Stored Task Object    ${passed}[_id]
    Should Be Equal    ${stored}[status]    pass

Claim Task Object Refuses The Producer Stage
    ${to} =    Create Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Argument 'stage' must be 1 or more for a consumer, got 0; stage 0 is the producer's.
    ...    Claim Task Object    0    statuses=new
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    new

Count Task Objects By Stage And Status Counts Every Combination
    Create Task Object    name=first
    Create Task Object    name=second
    Create Passed Task Object    name=third
    Create Passed Task Object    name=fourth
    Claim Task Object    1
    ${counts} =    Count Task Objects By Stage And Status
    ${expected} =    Evaluate
    ...    [{"stage": 0, "status": "new", "count": 2}, {"stage": 0, "status": "pass", "count": 1}, {"stage": 1, "status": "processing", "count": 1}]
    Should Be Equal    ${counts}    ${expected}
    ${stored count} =    Count Stored Task Objects    stage=${0}    status=new
    Should Be Equal    ${stored count}    ${2}

Count Task Objects By Stage And Status Returns An Empty List For An Empty Store
    ${counts} =    Count Task Objects By Stage And Status
    Should Be Empty    ${counts}

Set Task Object Status Stores The Status
    ${to} =    Create Task Object    invoice=1234
    ${before} =    Get UTC Now
    Set Task Object Status    ${to}[_id]    skip
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    skip
    Should Be Empty    ${stored}[stages]
    Stored Time Should Be Between    ${stored}[updatedAt]    ${before}    ${after}

Set Task Object Status Refuses An Unknown Status
    ${to} =    Create Task Object    invoice=1234
    Run Keyword And Expect Error    ${INVALID STATUS}
    ...    Set Task Object Status    ${to}[_id]    done
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    new
    Should Be Equal    ${stored}[updatedAt]    ${to}[updatedAt]

Set Task Object Priority Stores A Whole Number
    ${to} =    Create Task Object    invoice=1234
    Set Task Object Priority    ${to}[_id]    10
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[priority]    ${10}

Set Task Object Priority Refuses Text That Is Not A Number
    ${to} =    Create Task Object    invoice=1234
    Run Keyword And Expect Error    *'new_priority'*high*
    ...    Set Task Object Priority    ${to}[_id]    high
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[priority]    ${0}

Set Task Object Analytics Replaces The Analytics
    ${to} =    Create Task Object    invoice=1234
    &{first} =    Create Dictionary    pages=${3}    ocr=${True}
    Set Task Object Analytics    ${to}[_id]    ${first}
    &{second} =    Create Dictionary    pages=${4}
    Set Task Object Analytics    ${to}[_id]    ${second}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[analytics]    ${second}

Set Task Object Analytics Item Sets One Key And Keeps The Others
    ${to} =    Create Task Object    invoice=1234
    Set Task Object Analytics Item    ${to}[_id]    pages    ${3}
    Set Task Object Analytics Item    ${to}[_id]    ocr.engine    tesseract
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[analytics]    ${{{"pages": 3, "ocr": {"engine": "tesseract"}}}}

Set Task Object Last Error Stores The Text
    ${to} =    Create Task Object    invoice=1234
    Set Task Object Last Error    ${to}[_id]    Portal did not answer
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[last_error]    Portal did not answer
    Should Be Empty    ${stored}[stages]

Set Task Object Executor Stores This Robot's Executor
    ${to} =    Create Task Object    invoice=1234
    Set Task Object Executor    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[executor]    ${EXECUTOR}

Set Task Object Build Number Stores The Build Number
    ${to} =    Create Task Object    invoice=1234
    Set Task Object Build Number    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[build_number]    42

Set Task Object Job Name Stores The Job Name
    ${to} =    Create Task Object    invoice=1234
    Set Task Object Job Name    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[job_name]    invoices

Set Task Object To Manual Handling Sets The Deprecated Manual Flag
    ${to} =    Create Task Object    invoice=1234
    Set Task Object To Manual Handling    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[manual]    ${True}
    Should Be Equal    ${stored}[status]    new

Find All Task Objects Marked As Manual And Not Passed Lists Flagged Unfinished Objects
    ${manual new} =    Create Task Object    name=manual new
    ${manual passed} =    Create Passed Task Object    name=manual passed
    ${not manual} =    Create Task Object    name=not manual
    Set Task Object To Manual Handling    ${manual new}[_id]
    Set Task Object To Manual Handling    ${manual passed}[_id]
    ${found} =    Find All Task Objects Marked As Manual And Not Passed
    Length Should Be    ${found}    1
    ${stored} =    Get Stored Task Object    ${manual new}[_id]
    Should Be Equal    ${found}[0]    ${stored}

Find One Task Object Marked As Manual And Not Passed Returns It Without Claiming
    ${manual} =    Create Task Object    name=manual
    Set Task Object To Manual Handling    ${manual}[_id]
    ${before} =    Get Stored Task Object    ${manual}[_id]
    ${found} =    Find One Task Object Marked As Manual And Not Passed
    ${stored} =    Get Stored Task Object    ${manual}[_id]
    Should Be Equal    ${found}    ${stored}
    Should Be Equal    ${stored}    ${before}
    Set Task Object Status    ${manual}[_id]    pass
    ${none left} =    Find One Task Object Marked As Manual And Not Passed
    Should Be Equal    ${none left}    ${NONE}

Update Task Object And Timestamp Applies A Raw Update To The First Match
    ${to} =    Create Task Object    invoice=1234
    &{filter} =    Create Dictionary    status=new
    &{fields} =    Create Dictionary    priority=${5}
    &{update} =    Create Dictionary    $set=${fields}
    ${before} =    Get UTC Now
    ${updated} =    Update Task Object And Timestamp    ${filter}    ${update}
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${updated}    ${stored}
    Should Be Equal    ${stored}[priority]    ${5}
    Stored Time Should Be Between    ${stored}[updatedAt]    ${before}    ${after}

Update Task Object And Timestamp Updates The First Object In Sort Order
    ${older} =    Create Task Object    name=older
    ${newer} =    Create Task Object    name=newer
    &{filter} =    Create Dictionary    status=new
    &{fields} =    Create Dictionary    status=skip
    &{update} =    Create Dictionary    $set=${fields}
    ${newest first} =    Evaluate    [("_id", -1)]
    Update Task Object And Timestamp    ${filter}    ${update}    sort=${newest first}
    ${stored} =    Get Stored Task Object    ${newer}[_id]
    Should Be Equal    ${stored}[status]    skip
    ${stored} =    Get Stored Task Object    ${older}[_id]
    Should Be Equal    ${stored}[status]    new

Update Task Object And Timestamp Returns None When Nothing Matches
    ${to} =    Create Task Object    invoice=1234
    &{filter} =    Create Dictionary    status=fail
    &{fields} =    Create Dictionary    priority=${5}
    &{update} =    Create Dictionary    $set=${fields}
    ${updated} =    Update Task Object And Timestamp    ${filter}    ${update}
    Should Be Equal    ${updated}    ${NONE}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[priority]    ${0}
    Should Be Equal    ${stored}[updatedAt]    ${to}[updatedAt]

Find One Task Object By Status And Stage Takes A Sort Condition Written In The Test
    &{payload} =    Create Dictionary    invoice=1
    ${older} =    Create New Task Object    ${payload}
    ${newer} =    Create New Task Object    ${payload}
    ${to} =    Find One Task Object By Status And Stage    new    0    sort_condition=[("_id", -1)]
    Should Be Equal    ${to}[_id]    ${newer}[_id]
    ${stored} =    Get Stored Task Object    ${newer}[_id]
    Should Be Equal    ${stored}[status]    processing
    ${stored} =    Get Stored Task Object    ${older}[_id]
    Should Be Equal    ${stored}[status]    new


*** Keywords ***
Create Task Object
    [Documentation]    Creates a new task object at stage 0 with the given payload.
    [Arguments]    &{payload}
    ${to} =    Create New Task Object    ${payload}
    RETURN    ${to}

Create Failed Task Object At Stage
    [Documentation]    Creates a task object that failed ``stage``.
    [Arguments]    ${stage}    ${status}=fail    &{payload}
    ${to} =    Create New Task Object    ${payload}
    Set Task Object Stage    ${to}[_id]    ${stage}
    ${to} =    Update Status    ${to}[_id]    ${stage}    ${status}
    RETURN    ${to}

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
