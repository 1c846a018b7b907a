*** Settings ***
Documentation       Separate payloads with a time to live: each payload lives in
...                 ``sep.payloads`` under a TTL index, the task object keeps only
...                 ``{"_id": <payload id>}``, payload keywords change the payload
...                 document, keywords return objects merged with their payloads,
...                 and a payload that has expired gives a clear error.

Resource            library_imports.resource
Library             ScenarioHelper.py
Library             TOSLibrary    ${DB_SERVER}    ${DB_NAME}
...                     db_user=${DB_USER}    db_passw=${DB_PASSW}    db_auth_source=${DB_AUTH_SOURCE}
...                     mongo_client_options=${CLIENT_OPTIONS}
...                     collection_prefix=sep    separate_payloads=True    payloads_ttl=30 days
...                 AS    Separate

Suite Setup         Set Library Search Order    TOSLibrary
Test Setup          Empty Task Object Storage    library=Separate


*** Test Cases ***
Payload TTL Is A TTL Index On The Payloads Collection
    ${indexes} =    Get Payload Index Information    library=Separate
    Dictionary Should Contain Key    ${indexes}    ttl_index
    ${ttl} =    Set Variable    ${indexes}[ttl_index]
    Should Be Equal As Integers    ${ttl}[expireAfterSeconds]    2592000
    ${keys} =    Evaluate    [tuple(key) for key in $ttl['key']]
    ${expected} =    Evaluate    [("updatedAt", 1)]
    Should Be Equal    ${keys}    ${expected}
    ${name} =    Get Collection Name Of Payloads    library=Separate
    Should Be Equal    ${name}    sep.payloads

Created Object Stores Only A Reference To Its Payload
    &{payload} =    Create Dictionary    invoice=INV-1    amount=${99}
    ${to} =    Separate.Create New Task Object    ${payload}
    Should Be Equal    ${to}[payload]    ${payload}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Separate
    Payload Should Be Only A Reference    ${stored}
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=Separate
    Should Be Equal    ${document}[payload]    ${payload}
    Should Be Equal    ${document}[createdAt]    ${stored}[createdAt]
    Should Be Equal    ${document}[updatedAt]    ${stored}[updatedAt]
    ${count} =    Count Stored Payload Documents    library=Separate
    Should Be Equal As Integers    ${count}    1

Objects Created In Bulk Each Get Their Own Payload Document
    @{rows} =    Create List
    FOR    ${number}    IN RANGE    1    4
        &{row} =    Create Dictionary    invoice=INV-${number}
        Append To List    ${rows}    ${row}
    END
    ${created} =    Separate.Create New Task Objects    ${rows}    finished=True
    FOR    ${to}    ${row}    IN ZIP    ${created}    ${rows}
        Should Be Equal    ${to}[payload]    ${row}
        ${stored} =    Get Stored Task Object    ${to}[_id]    library=Separate
        Payload Should Be Only A Reference    ${stored}
        ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=Separate
        Should Be Equal    ${document}[payload]    ${row}
    END
    ${count} =    Count Stored Payload Documents    library=Separate
    Should Be Equal As Integers    ${count}    3

Payload Keywords Change The Payload Document
    &{payload} =    Create Dictionary    invoice=INV-1    phone=555
    ${to} =    Separate.Create New Task Object    ${payload}
    ${created} =    Get Stored Task Object    ${to}[_id]    library=Separate
    Sleep    10 ms
    &{update} =    Create Dictionary    amount=${120}
    ${returned} =    Separate.Update Payload    ${to}[_id]    ${update}
    Should Be Equal    ${returned}[payload][amount]    ${120}
    Separate.Add Key Value Pair To Payload    ${to}[_id]    customer.name    Ada
    Separate.Remove Field From Payload    ${to}[_id]    phone
    ${returned} =    Separate.Push Value To Array Field    ${to}[_id]    Address changed    payload.alerts
    &{expected} =    Evaluate
    ...    {"invoice": "INV-1", "amount": 120, "customer": {"name": "Ada"}, "alerts": ["Address changed"]}
    Should Be Equal    ${returned}[payload]    ${expected}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Separate
    Payload Should Be Only A Reference    ${stored}
    Should Be Equal    ${stored}[payload]    ${created}[payload]
    Should Be True    $stored['updatedAt'] > $created['updatedAt']
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=Separate
    Should Be Equal    ${document}[payload]    ${expected}
    Should Be True    $document['updatedAt'] > $document['createdAt']
    &{replacement} =    Create Dictionary    invoice=INV-1B
    ${returned} =    Separate.Set Task Object Payload    ${to}[_id]    ${replacement}
    Should Be Equal    ${returned}[payload]    ${replacement}
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=Separate
    Should Be Equal    ${document}[payload]    ${replacement}
    ${count} =    Count Stored Payload Documents    library=Separate
    Should Be Equal As Integers    ${count}    1

Pushing To A Task Object Field Leaves The Payload Alone
    &{payload} =    Create Dictionary    invoice=INV-1
    ${to} =    Separate.Create New Task Object    ${payload}
    ${returned} =    Separate.Push Value To Array Field    ${to}[_id]    parsed    analytics.steps
    Should Be Equal    ${returned}[payload]    ${payload}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Separate
    @{steps} =    Create List    parsed
    Should Be Equal    ${stored}[analytics][steps]    ${steps}
    Payload Should Be Only A Reference    ${stored}

Claim And Finish Return Objects Merged With Their Payloads
    &{payload} =    Create Dictionary    invoice=INV-1
    ${to} =    Separate.Create New Task Object    ${payload}    finished=True
    ${claimed} =    Separate.Claim Task Object    1
    Should Be Equal    ${claimed}[_id]    ${to}[_id]
    Should Be Equal    ${claimed}[payload]    ${payload}
    &{result} =    Create Dictionary    total=${120}
    ${finished} =    Separate.Finish Task Object    ${to}[_id]    1    pass    payload_update=${result}
    &{expected} =    Create Dictionary    invoice=INV-1    total=${120}
    Should Be Equal    ${finished}[payload]    ${expected}
    Should Be Equal    ${finished}[status]    pass
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Separate
    Payload Should Be Only A Reference    ${stored}
    Should Be Equal    ${stored}[stages][1][status]    pass
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=Separate
    Should Be Equal    ${document}[payload]    ${expected}
    ${legacy} =    Separate.Create New Task Object    ${payload}    finished=True
    ${claimed} =    Separate.Find One Task Object By Status And Stage    pass    0
    Should Be Equal    ${claimed}[_id]    ${legacy}[_id]
    Should Be Equal    ${claimed}[payload]    ${payload}
    ${updated} =    Separate.Update Status    ${claimed}[_id]    1    pass
    Should Be Equal    ${updated}[payload]    ${payload}

Finding By Id Gives The Reference Or The Merged Payload
    &{first_payload} =    Create Dictionary    invoice=INV-1
    &{second_payload} =    Create Dictionary    invoice=INV-2
    ${first} =    Separate.Create New Task Object    ${first_payload}
    ${second} =    Separate.Create New Task Object    ${second_payload}    priority=5
    ${bare} =    Separate.Find Task Object By Id    ${first}[_id]
    Payload Should Be Only A Reference    ${bare}
    ${merged} =    Separate.Find Task Object By Id And Merge Payload    ${first}[_id]
    Should Be Equal    ${merged}[payload]    ${first_payload}
    @{ids} =    Create List    ${first}[_id]    ${second}[_id]
    ${all} =    Separate.Find All Task Objects And Merge Them With Payloads    ${ids}
    Length Should Be    ${all}    2
    Should Be Equal    ${all}[0][payload]    ${second_payload}
    Should Be Equal    ${all}[1][payload]    ${first_payload}
    ${document} =    Separate.Find Payload Document By To Id    ${first}[_id]
    Should Be Equal    ${document}[_id]    ${bare}[payload][_id]
    Should Be Equal    ${document}[payload]    ${first_payload}
    ${same} =    Separate.Find Payload Document By Payload Id    ${bare}[payload][_id]
    Should Be Equal    ${same}    ${document}

Expired Payload Gives A Clear Error
    [Documentation]    The TTL monitor deletes a payload document on its own
    ...    schedule; here the document is deleted directly, as it would be.
    &{payload} =    Create Dictionary    invoice=INV-1
    ${to} =    Separate.Create New Task Object    ${payload}
    &{other_payload} =    Create Dictionary    invoice=INV-2
    ${other} =    Separate.Create New Task Object    ${other_payload}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Separate
    ${payload_id} =    Set Variable    ${stored}[payload][_id]
    Remove Stored Payload Document    ${payload_id}    library=Separate
    Run Keyword And Expect Error
    ...    *payload '${payload_id}' of task object '${to}[_id]' does not exist*expired*
    ...    Separate.Find Task Object By Id And Merge Payload    ${to}[_id]
    @{ids} =    Create List    ${to}[_id]    ${other}[_id]
    ${all} =    Separate.Find All Task Objects And Merge Them With Payloads    ${ids}
    Length Should Be    ${all}    1
    Should Be Equal    ${all}[0][_id]    ${other}[_id]
    &{update} =    Create Dictionary    amount=${1}
    Run Keyword And Expect Error
    ...    *payload '${payload_id}' of task object '${to}[_id]' does not exist*
    ...    Separate.Update Payload    ${to}[_id]    ${update}
    ${after} =    Get Stored Task Object    ${to}[_id]    library=Separate
    Should Be Equal    ${after}    ${stored}
    ${count} =    Count Stored Payload Documents    library=Separate
    Should Be Equal As Integers    ${count}    1

Existing Payloads Collection Needs Separate Payloads In The Import
    [Documentation]    ``sep.payloads`` exists, so importing the same prefix
    ...    without ``separate_payloads`` would lose the payloads: it fails.
    Importing TOSLibrary Should Fail    *'sep.payloads' exists*separate_payloads*
    ...    SeparateForgotten    collection_prefix=sep

Changing The Payload TTL Replaces The Index
    [Documentation]    Last in the suite: it leaves the TTL at one day.
    Import TOSLibrary With Options    SeparateDaily
    ...    collection_prefix=sep    separate_payloads=True    payloads_ttl=1 day
    ${indexes} =    Get Payload Index Information    library=SeparateDaily
    Should Be Equal As Integers    ${indexes}[ttl_index][expireAfterSeconds]    86400
    ${ttl_indexes} =    Evaluate    [name for name, index in $indexes.items() if "expireAfterSeconds" in index]
    Length Should Be    ${ttl_indexes}    1


*** Keywords ***
Payload Should Be Only A Reference
    [Arguments]    ${task_object}
    ${keys} =    Get Dictionary Keys    ${task_object}[payload]
    @{expected} =    Create List    _id
    Lists Should Be Equal    ${keys}    ${expected}
    Should Be True    type($task_object['payload']['_id']).__name__ == 'ObjectId'
