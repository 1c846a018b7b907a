*** Settings ***
Documentation       Claims left behind by a robot that stopped: an object stays
...                 ``processing`` until it is found as stale and released back to
...                 the status and stage it was claimed from, one at a time, all at
...                 once, or by the next consumer's claim. A fresh claim is never
...                 released.

Resource            ../../resources/common.resource
Library             DateTime
Library             ScenarioHelper.py

Test Setup          Start From Empty Storage


*** Test Cases ***
Abandoned Claim Is Listed As Stale
    ${abandoned} =    Claim New Object    INV-1
    ${working} =    Claim New Object    INV-2
    Backdate Claim    ${abandoned}[_id]    2 hours
    ${stale} =    Find Stale Task Objects    1 hour
    Length Should Be    ${stale}    1
    Should Be Equal    ${stale}[0][_id]    ${abandoned}[_id]
    Should Be Equal    ${stale}[0][status]    processing
    ${stored} =    Get Stored Task Object    ${working}[_id]
    Should Be Equal    ${stored}[status]    processing

Claim Left Waiting Is Stale Once Older Than The Given Time
    ${to} =    Claim New Object    INV-1
    ${stale} =    Find Stale Task Objects    1 s
    Should Be Empty    ${stale}
    Sleep    2 s
    ${stale} =    Find Stale Task Objects    1 s
    Length Should Be    ${stale}    1
    Should Be Equal    ${stale}[0][_id]    ${to}[_id]
    ${stale} =    Find Stale Task Objects    1 hour
    Should Be Empty    ${stale}

Stale Claims Are Found And Released By The Stage They Are Processing At
    ${at_one} =    Claim New Object    INV-1
    Create Passed Task Object    invoice=INV-2
    ${to} =    Claim Task Object    1
    Finish Task Object    ${to}[_id]    1    pass
    ${at_two} =    Claim Task Object    2
    Backdate Claim    ${at_one}[_id]    2 hours
    Backdate Claim    ${at_two}[_id]    2 hours
    ${stale} =    Find Stale Task Objects    1 hour    stages=2
    Length Should Be    ${stale}    1
    Should Be Equal    ${stale}[0][_id]    ${at_two}[_id]
    ${released} =    Release Stale Task Objects    1 hour    stages=1
    Length Should Be    ${released}    1
    Should Be Equal    ${released}[0][_id]    ${at_one}[_id]
    ${stored} =    Get Stored Task Object    ${at_two}[_id]
    Should Be Equal    ${stored}[status]    processing
    ${stored} =    Get Stored Task Object    ${at_one}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0

Finding Stale Claims Changes Nothing
    ${to} =    Claim New Object    INV-1
    Backdate Claim    ${to}[_id]    2 hours
    ${before} =    Get Stored Task Object    ${to}[_id]
    Find Stale Task Objects    1 hour
    ${after} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${after}    ${before}

Released Object Returns To The Status And Stage It Was Claimed From
    ${to} =    Claim New Object    INV-1
    ${claimed_at} =    Backdate Claim    ${to}[_id]    2 hours
    ${before_release} =    Get Current Date    UTC    result_format=datetime
    ${returned} =    Release Stale Task Object    ${to}[_id]    older_than=1 hour
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${returned}
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0
    Length Should Be    ${stored}[releases]    1
    ${release} =    Set Variable    ${stored}[releases][0]
    Should Be Equal    ${release}[claimedAt]    ${claimed_at}
    Should Be Equal    ${release}[executor]    ${to}[executor]
    Should Be Equal As Integers    ${release}[stage]    1
    Should Match    ${release}[released_by]    Executor * on node *
    ${earliest} =    Evaluate    $before_release.replace(microsecond=$before_release.microsecond // 1000 * 1000)
    Should Be True    $release['releasedAt'] >= $earliest
    ${again} =    Claim Task Object    1
    Should Be Equal    ${again}[_id]    ${to}[_id]

Every Release Is Kept In The Releases List
    ${to} =    Claim New Object    INV-1
    FOR    ${round}    IN RANGE    2
        Backdate Claim    ${to}[_id]    2 hours
        Release Stale Task Object    ${to}[_id]    older_than=1 hour
        Claim Task Object    1
    END
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Length Should Be    ${stored}[releases]    2
    Should Be Equal    ${stored}[status]    processing

Legacy Claim Is Released To The Stage It Was Claimed From
    Create Passed Task Object    invoice=INV-1
    ${to} =    Find One Task Object By Status And Stage    pass    0
    Update Stage Object    ${to}[_id]    1
    Backdate Claim    ${to}[_id]    2 hours
    Release Stale Task Object    ${to}[_id]    older_than=1 hour
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0

Release With A Status Sets That Status At The Current Stage
    ${to} =    Claim New Object    INV-1
    Backdate Claim    ${to}[_id]    2 hours
    Release Stale Task Object    ${to}[_id]    older_than=1 hour    status=fail
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    fail
    Should Be Equal As Integers    ${stored}[stage]    1
    Length Should Be    ${stored}[releases]    1

Release With A Status And A Stage Sends The Object Back To That Queue
    ${to} =    Claim New Object    INV-1
    Backdate Claim    ${to}[_id]    2 hours
    Release Stale Task Object    ${to}[_id]    older_than=1 hour    status=pass    stage=0
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    pass
    Should Be Equal As Integers    ${stored}[stage]    0
    ${again} =    Claim Task Object    1
    Should Be Equal    ${again}[_id]    ${to}[_id]

All Stale Claims Are Released At Once
    @{abandoned} =    Create List
    FOR    ${number}    IN RANGE    3
        ${to} =    Claim New Object    INV-${number}
        Backdate Claim    ${to}[_id]    2 hours
        Append To List    ${abandoned}    ${to}[_id]
    END
    ${working} =    Claim New Object    INV-9
    ${working_before} =    Get Stored Task Object    ${working}[_id]
    ${released} =    Release Stale Task Objects    1 hour
    Length Should Be    ${released}    3
    ${released_ids} =    Evaluate    sorted(str(to["_id"]) for to in $released)
    ${expected_ids} =    Evaluate    sorted(str(object_id) for object_id in $abandoned)
    Lists Should Be Equal    ${released_ids}    ${expected_ids}
    FOR    ${object_id}    IN    @{abandoned}
        ${stored} =    Get Stored Task Object    ${object_id}
        Should Be Equal    ${stored}[status]    pass
        Should Be Equal As Integers    ${stored}[stage]    0
        Length Should Be    ${stored}[releases]    1
    END
    ${working_after} =    Get Stored Task Object    ${working}[_id]
    Should Be Equal    ${working_after}    ${working_before}
    ${processing} =    Count Stored Task Objects    status=processing
    Should Be Equal As Integers    ${processing}    1

Claim Reclaims An Object Whose Claim Has Gone Stale
    ${to} =    Claim New Object    INV-1
    ${first_claim} =    Get Stored Task Object    ${to}[_id]
    Sleep    2 s
    ${again} =    Claim Task Object    1    reclaim_stale_after=1 s
    Should Be Equal    ${again}[_id]    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    processing
    Should Be Equal As Integers    ${stored}[stage]    1
    Length Should Be    ${stored}[releases]    1
    Should Be Equal    ${stored}[releases][0][claimedAt]    ${first_claim}[claimedAt]
    Should Be True    $stored['claimedAt'] > $first_claim['claimedAt']

Reclaiming Leaves Fresh Claims Alone
    ${abandoned} =    Claim New Object    INV-1
    ${working} =    Claim New Object    INV-2
    Backdate Claim    ${abandoned}[_id]    2 hours
    ${working_before} =    Get Stored Task Object    ${working}[_id]
    ${claimed} =    Claim Task Object    1    reclaim_stale_after=1 hour
    Should Be Equal    ${claimed}[_id]    ${abandoned}[_id]
    ${working_after} =    Get Stored Task Object    ${working}[_id]
    Should Be Equal    ${working_after}    ${working_before}
    ${nothing} =    Claim Task Object    1    reclaim_stale_after=1 hour
    Should Be Equal    ${nothing}    ${None}

Fresh Claim Is Not Released
    ${to} =    Claim New Object    INV-1
    ${before} =    Get Stored Task Object    ${to}[_id]
    ${error} =    Run Keyword And Expect Error    *'${to}[_id]' was claimed at *
    ...    Release Stale Task Object    ${to}[_id]    older_than=1 hour
    ${after} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${after}    ${before}
    ${released} =    Release Stale Task Objects    1 hour
    Should Be Empty    ${released}
    ${after} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${after}    ${before}
    Should Match Regexp    ${error}    less than (3600(\\.0)? seconds|1 hour|1:00:00) ago
    ...    The error must state the age limit as given or in seconds: ${error}    values=False

Object That Is Not Processing Is Not Released
    ${to} =    Create Passed Task Object    invoice=INV-1
    ${before} =    Get Stored Task Object    ${to}[_id]
    Run Keyword And Expect Error    *'${to}[_id]' is not processing*'pass'*
    ...    Release Stale Task Object    ${to}[_id]
    ${after} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${after}    ${before}


*** Keywords ***
Claim New Object
    [Documentation]    Produces one object and claims it for stage 1, as a
    ...    consumer that then stops would.
    [Arguments]    ${invoice}
    Create Passed Task Object    invoice=${invoice}
    ${to} =    Claim Task Object    1
    Should Be Equal    ${to}[payload][invoice]    ${invoice}
    RETURN    ${to}
