*** Settings ***
Documentation       Retry keywords: running a stage again, later, a limited number of
...                 times, and giving back claims left behind by crashed robots. Each
...                 test reads back what was stored.

Resource            ../resources/common.resource
Library             DateTime
Library             OperatingSystem

Suite Setup         Run As Jenkins Build
Suite Teardown      Restore Jenkins Variables
Test Setup          Start From Empty Storage


*** Variables ***
&{JENKINS}          NODE_NAME=atest-node    EXECUTOR_NUMBER=5    BUILD_NUMBER=314    JOB_NAME=invoices
&{SAVED JENKINS}    &{EMPTY}
${EXECUTOR}         Executor 5 on node atest-node


*** Test Cases ***
Set Task Object For Rerun Sends The Object Back One Stage As Passed
    ${to} =    Create Object That Failed Stage    2
    ${rerun} =    Set Task Object For Rerun    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${rerun}    ${stored}
    Should Be Equal    ${stored}[stage]    ${1}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[retry_count]    ${1}
    Should Be Equal    ${stored}[defer_until]    ${NONE}
    Should Be Equal    ${stored}[stages][2][status]    fail

Rerun Object Is Claimed Again With The Retry Recorded
    ${to} =    Create Object That Failed Stage    2
    Set Task Object For Rerun    ${to}[_id]
    ${claimed} =    Claim Task Object    2
    Should Be Equal    ${claimed}[_id]    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal    ${stored}[stage]    ${2}
    Should Be Equal    ${stored}[stages][2][retries][1][executor]    ${EXECUTOR}
    Should Be Equal    ${stored}[stages][2][retries][1][build_number]    314

Set Task Object For Rerun With A Delay Stores Defer Until And Is Not Claimed Before
    ${to} =    Create Object That Failed Stage    2
    ${before} =    Get UTC Now
    Set Task Object For Rerun    ${to}[_id]    defer_until=10 min
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Stored Time Should Be Between    ${stored}[defer_until]
    ...    ${{$before + datetime.timedelta(minutes=10)}}    ${{$after + datetime.timedelta(minutes=10)}}
    Should Be Equal    ${stored}[stage]    ${1}
    Should Be Equal    ${stored}[retry_count]    ${1}
    ${claimed} =    Claim Task Object    2
    Should Be Equal    ${claimed}    ${NONE}
    ${waiting} =    Find All Task Objects By Status And Stage    pass    1
    Should Be Empty    ${waiting}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass

Set Task Object For Rerun With A Local Time Stores It As UTC
    ${to} =    Create Object That Failed Stage    1
    Set Task Object For Rerun    ${to}[_id]    defer_until=2030-01-01 12:00:00
    ${expected} =    Evaluate
    ...    datetime.datetime(2030, 1, 1, 12).astimezone(datetime.timezone.utc).replace(tzinfo=None)
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[defer_until]    ${expected}
    Should Be Equal    ${stored}[stage]    ${0}

Set Task Object For Rerun Below Max Retries Sends The Object Back
    ${to} =    Create Object That Failed Stage    2
    Increment Retry Count    ${to}[_id]
    Set Task Object For Rerun    ${to}[_id]    max_retries=2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stage]    ${1}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[retry_count]    ${2}

Set Task Object For Rerun At Max Retries Fails The Object Instead
    ${to} =    Create Object That Failed Stage    2
    Increment Retry Count    ${to}[_id]
    Increment Retry Count    ${to}[_id]
    ${before} =    Get UTC Now
    ${finished} =    Set Task Object For Rerun    ${to}[_id]    max_retries=2
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${finished}    ${stored}
    Should Be Equal    ${stored}[stage]    ${2}
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal    ${stored}[retry_count]    ${2}
    ${reason} =    Set Variable    Retry limit reached: retried 2 time(s), at most 2 allowed.
    Should Be Equal    ${stored}[last_error]    ${reason}
    Should Be Equal    ${stored}[stages][2][exceptions][-1]    ${reason}
    Should Be Equal    ${stored}[stages][2][status]    fail
    Stored Time Should Be Between    ${stored}[stages][2][endedAt]    ${before}    ${after}

Set Task Object For Rerun Refuses Stage Zero
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Task object '${to}[_id]' is at stage 0; it cannot be set for rerun because there is no previous stage.
    ...    Set Task Object For Rerun    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Set Task Object Retry Time With A Delay Defers The Object
    ${to} =    Create Passed Task Object    invoice=1234
    ${before} =    Get UTC Now
    Set Task Object Retry Time    ${to}[_id]    1 hour
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Stored Time Should Be Between    ${stored}[defer_until]
    ...    ${{$before + datetime.timedelta(hours=1)}}    ${{$after + datetime.timedelta(hours=1)}}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[retry_count]    ${0}
    ${claimed} =    Claim Task Object    1
    Should Be Equal    ${claimed}    ${NONE}

Set Task Object Retry Time With A Local Time Stores It As UTC
    ${to} =    Create Passed Task Object    invoice=1234
    Set Task Object Retry Time    ${to}[_id]    2030-06-15 08:30:00
    ${expected} =    Evaluate
    ...    datetime.datetime(2030, 6, 15, 8, 30).astimezone(datetime.timezone.utc).replace(tzinfo=None)
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[defer_until]    ${expected}

Set Task Object Retry Time Refuses Text That Is No Time
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error    *'defer_until'*'soon'*
    ...    Set Task Object Retry Time    ${to}[_id]    soon
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Increment Retry Count Adds One To The Retry Count
    ${to} =    Create Passed Task Object    invoice=1234
    Increment Retry Count    ${to}[_id]
    ${updated} =    Increment Retry Count    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${updated}    ${stored}
    Should Be Equal    ${stored}[retry_count]    ${2}
    Should Be Equal    ${stored}[stage]    ${0}

Update Stage Retry Count Adds One To The Stage's Retry Count
    ${to} =    Create Passed Task Object    invoice=1234
    Update Stage Retry Count    ${to}[_id]    1
    Update Stage Retry Count    ${to}[_id]    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][1][retry_count]    ${2}
    Should Be Equal    ${stored}[retry_count]    ${0}

Save Retry Metadata If Retry Records Who Runs The Retry
    ${to} =    Create Object That Failed Stage    1
    Set Task Object For Rerun    ${to}[_id]
    ${to} =    Find One Task Object By Status And Stage    pass    0
    Update Stage Object    ${to}[_id]    1
    ${updated} =    Save Retry Metadata If Retry    ${to}    1
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${updated}    ${stored}
    Should Be Equal    ${stored}[stages][1][retries][1][executor]    ${EXECUTOR}
    Should Be Equal    ${stored}[stages][1][retries][1][build_number]    314

Save Retry Metadata If Retry Writes Nothing For A First Run
    ${to} =    Create Passed Task Object    invoice=1234
    ${result} =    Save Retry Metadata If Retry    ${to}    1
    Should Be Equal    ${result}    ${NONE}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Set Retry Start And End Time Record The Retry's Times
    ${to} =    Create Passed Task Object    invoice=1234
    ${before} =    Get UTC Now
    Set Retry Start Time    ${to}[_id]    1    2
    ${middle} =    Get UTC Now
    Set Retry End Time    ${to}[_id]    1    2
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${retry} =    Set Variable    ${stored}[stages][1][retries][2]
    Stored Time Should Be Between    ${retry}[startedAt]    ${before}    ${middle}
    Stored Time Should Be Between    ${retry}[endedAt]    ${middle}    ${after}
    Should Be True    $retry["startedAt"] <= $retry["endedAt"]

Set Retry Executor Records This Robot's Executor For The Retry
    ${to} =    Create Passed Task Object    invoice=1234
    Set Retry Executor    ${to}[_id]    1    2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][1][retries][2][executor]    ${EXECUTOR}

Set Retry Build Number Records The Build Number For The Retry
    ${to} =    Create Passed Task Object    invoice=1234
    Set Retry Build Number    ${to}[_id]    1    2
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[stages][1][retries][2][build_number]    314

Find Stale Task Objects Lists Objects Processing Longer Than The Given Time
    ${stale} =    Create Passed Task Object    name=stale
    ${fresh} =    Create Passed Task Object    name=fresh
    Claim Task Object    1
    Claim Task Object    1
    Make Claim Look Older    ${stale}[_id]    2 hours
    ${before} =    Get Stored Task Object    ${stale}[_id]
    ${found} =    Find Stale Task Objects    1 hour
    Length Should Be    ${found}    1
    Should Be Equal    ${found}[0]    ${before}
    ${stored} =    Get Stored Task Object    ${stale}[_id]
    Should Be Equal    ${stored}    ${before}

Find Stale Task Objects Limited To A Stage Finds Objects Processing At That Stage
    ${at one} =    Create Passed Task Object    name=at one
    ${at two} =    Create Passed Task Object    name=at two
    Set Task Object Stage    ${at two}[_id]    1
    Claim Task Object    1
    Claim Task Object    2
    Make Claim Look Older    ${at one}[_id]    2 hours
    Make Claim Look Older    ${at two}[_id]    2 hours
    ${found} =    Find Stale Task Objects    1 hour    stages=2
    Should Be Equal    ${{[to["payload"]["name"] for to in $found]}}    ${{["at two"]}}

Find Stale Task Objects Finds Objects Claimed By An Older Version
    ${to} =    Create Passed Task Object    invoice=1234
    Make Legacy Claim Two Hours Ago    ${to}[_id]
    ${found} =    Find Stale Task Objects    1 hour
    Length Should Be    ${found}    1
    Should Be Equal    ${found}[0][_id]    ${to}[_id]

Release Stale Task Object Gives The Object Back To Its Queue
    ${to} =    Create Passed Task Object    invoice=1234
    ${claimed} =    Claim Task Object    1
    Make Claim Look Older    ${to}[_id]    2 hours
    ${old claim} =    Get Stored Task Object    ${to}[_id]
    ${before} =    Get UTC Now
    ${released} =    Release Stale Task Object    ${to}[_id]    older_than=30 min
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${released}    ${stored}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[stage]    ${0}
    Length Should Be    ${stored}[releases]    1
    ${release} =    Set Variable    ${stored}[releases][0]
    Stored Time Should Be Between    ${release}[releasedAt]    ${before}    ${after}
    Should Be Equal    ${release}[claimedAt]    ${old claim}[claimedAt]
    Should Be Equal    ${release}[executor]    ${EXECUTOR}
    Should Be Equal    ${release}[stage]    ${1}
    Should Be Equal    ${release}[released_by]    ${EXECUTOR}
    ${claimed again} =    Claim Task Object    1
    Should Be Equal    ${claimed again}[_id]    ${to}[_id]

Release Stale Task Object With A Status Sets That Status
    ${to} =    Create Passed Task Object    invoice=1234
    Claim Task Object    1
    Make Claim Look Older    ${to}[_id]    2 hours
    Release Stale Task Object    ${to}[_id]    status=fail
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal    ${stored}[stage]    ${1}
    Length Should Be    ${stored}[releases]    1

Release Stale Task Object Needs A Status For A Claim By An Older Version
    ${to} =    Create Passed Task Object    invoice=1234
    Make Legacy Claim Two Hours Ago    ${to}[_id]
    Run Keyword And Expect Error
    ...    Task object '${to}[_id]' has no record of the status it was claimed from (it was claimed by an older version); give 'status' to say where it goes.
    ...    Release Stale Task Object
    ...    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    processing
    Release Stale Task Object    ${to}[_id]    status=new
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    new

Release Stale Task Object Refuses An Object That Is Not Processing
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Task object '${to}[_id]' is not processing (status 'pass'), so there is no claim to release.
    ...    Release Stale Task Object    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Release Stale Task Object Refuses A Claim Younger Than Older Than
    ${to} =    Create Passed Task Object    invoice=1234
    ${claimed} =    Claim Task Object    1
    Run Keyword And Expect Error
    ...    REGEXP:Task object '${to}[_id]' was claimed at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, less than (3600(\\.0)? seconds|1 hour) ago\\.
    ...    Release Stale Task Object
    ...    ${to}[_id]
    ...    older_than=1 hour
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${claimed}

Release Stale Task Objects Gives Back Every Stale Claim
    ${first} =    Create Passed Task Object    name=first
    ${second} =    Create New Task Object    ${{{"name": "second"}}}
    ${fresh} =    Create Passed Task Object    name=fresh
    ${legacy} =    Create Passed Task Object    name=legacy
    Claim Task Object    1
    Find One Task Object By Status And Stage    new    0
    Make Claim Look Older    ${first}[_id]    2 hours
    Make Claim Look Older    ${second}[_id]    2 hours
    Claim Task Object    1
    Make Legacy Claim Two Hours Ago    ${legacy}[_id]
    ${released} =    Release Stale Task Objects    1 hour
    Length Should Be    ${released}    2
    ${stored} =    Get Stored Task Object    ${first}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal    ${stored}[stage]    ${0}
    ${stored} =    Get Stored Task Object    ${second}[_id]
    Should Be Equal    ${stored}[status]    new
    Should Be Equal    ${stored}[stage]    ${0}
    Length Should Be    ${stored}[releases]    1
    ${stored} =    Get Stored Task Object    ${fresh}[_id]
    Should Be Equal    ${stored}[status]    processing
    Dictionary Should Not Contain Key    ${stored}    releases
    ${stored} =    Get Stored Task Object    ${legacy}[_id]
    Should Be Equal    ${stored}[status]    processing

Claim Task Object With Reclaim Stale After Takes Back A Stale Claim
    ${to} =    Create Passed Task Object    invoice=1234
    Claim Task Object    1
    Make Claim Look Older    ${to}[_id]    2 hours
    ${before} =    Get UTC Now
    ${claimed} =    Claim Task Object    1    reclaim_stale_after=1 hour
    ${after} =    Get UTC Now
    Should Be Equal    ${claimed}[_id]    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal    ${stored}[stage]    ${1}
    Stored Time Should Be Between    ${stored}[claimedAt]    ${before}    ${after}
    Length Should Be    ${stored}[releases]    1

Set Task Object Retry Time Honours A Zone Or A Delay Given As Text
    [Documentation]    A time with ``Z`` or an offset is that instant; a number is
    ...    a delay in seconds, as in Python.
    Create Passed Task Object    invoice=1234
    ${to} =    Claim Task Object    1
    ${before} =    Evaluate    datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    Set Task Object For Rerun    ${to}[_id]    defer_until=${600}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    ${delay} =    Evaluate    ($stored["defer_until"] - $before).total_seconds()
    Should Be True    599 <= ${delay} <= 660    The delay was ${delay} s, not 600 s.
    Set Task Object Retry Time    ${to}[_id]    2030-06-01T12:00:00+02:00
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[defer_until]    ${{datetime.datetime(2030, 6, 1, 10, 0)}}
    Set Task Object Retry Time    ${to}[_id]    2030-06-01T08:00:00Z
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[defer_until]    ${{datetime.datetime(2030, 6, 1, 8, 0)}}
    Run Keyword And Expect Error    Argument 'defer_until' must be a time*
    ...    Set Task Object Retry Time    ${to}[_id]    next tuesday


*** Keywords ***
Create Object That Failed Stage
    [Documentation]    Creates a task object that was claimed for ``stage`` and failed it.
    [Arguments]    ${stage}
    ${to} =    Create Passed Task Object    invoice=1234
    Set Task Object Stage    ${to}[_id]    ${{int($stage) - 1}}
    ${to} =    Claim Task Object    ${stage}
    ${to} =    Finish Task Object    ${to}[_id]    ${stage}    fail    error_text=Portal did not answer
    RETURN    ${to}

Make Claim Look Older
    [Documentation]    Moves a claim's time back by ``age``, as if its robot had crashed then.
    [Arguments]    ${object_id}    ${age}
    ${seconds} =    Convert Time    ${age}
    ${stored} =    Get Stored Task Object    ${object_id}
    ${earlier} =    Evaluate    $stored["claimedAt"] - datetime.timedelta(seconds=$seconds)
    Write Raw Fields    ${object_id}    claimedAt=${earlier}    updatedAt=${earlier}

Make Legacy Claim Two Hours Ago
    [Documentation]    Marks the object processing as task-object-storage 1.4 did: no
    ...    ``claimedAt`` and no record of the status it came from.
    [Arguments]    ${object_id}
    ${earlier} =    Get Current Date    UTC    -2 hours    result_format=datetime
    Write Raw Fields    ${object_id}    status=processing    updatedAt=${earlier}

Write Raw Fields
    [Documentation]    Sets fields with pymongo directly, past the library.
    [Arguments]    ${object_id}    &{fields}
    ${storage} =    Get Library Instance    TOSLibrary
    Evaluate    $storage.tos.tos.update_one({"_id": $object_id}, {"$set": dict($fields)})

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
