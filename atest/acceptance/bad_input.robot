*** Settings ***
Documentation       Bad input fails with an error that names the argument, and
...                 leaves the stored data exactly as it was: no half-written
...                 object, no stray payload document, no changed field.

Resource            ../resources/common.resource
Resource            scenarios/library_imports.resource
Library             OperatingSystem
Library             scenarios/ScenarioHelper.py
Library             TOSLibrary    ${DB_SERVER}    ${DB_NAME}
...                     db_user=${DB_USER}    db_passw=${DB_PASSW}    db_auth_source=${DB_AUTH_SOURCE}
...                     mongo_client_options=${CLIENT_OPTIONS}
...                     collection_prefix=bad    separate_payloads=True
...                 AS    Separate

Suite Setup         Set Library Search Order    TOSLibrary
Test Setup          Store Objects To Spoil


*** Variables ***
${NOT_AN_ID}    Argument 'object_id' must be an ObjectId or its 24-character hex text, got


*** Test Cases ***
Id That Is Not An ObjectId Is Refused
    Should Fail And Change Nothing    ${NOT_AN_ID} 'not-an-id' (str).
    ...    Find Task Object By Id    not-an-id
    Should Fail And Change Nothing    ${NOT_AN_ID} '12345' (str).
    ...    Set Task Object Status    12345    pass
    Should Fail And Change Nothing    ${NOT_AN_ID} '' (str).
    ...    Update Payload    ${EMPTY}    ${{ {"amount": 1} }}
    Should Fail And Change Nothing    ${NOT_AN_ID} 123 (int).
    ...    Finish Task Object    ${123}    1    pass
    Should Fail And Change Nothing    ${NOT_AN_ID} '${TO}[_id]x' (str).
    ...    Set Task Object For Rerun    ${TO}[_id]x
    Should Fail And Change Nothing    ${NOT_AN_ID} 'bad' (str).
    ...    Separate.Find Task Object By Id And Merge Payload    bad
    Should Fail And Change Nothing    Argument 'object_ids' must be an ObjectId*'bad'*
    ...    Separate.Find All Task Objects And Merge Them With Payloads    ${{ ["bad"] }}

Id That Does Not Exist Is Refused And Creates Nothing
    ${missing} =    Evaluate    str(bson.ObjectId())    modules=bson
    ${not_found} =    Set Variable    No task object has the id '${missing}'.
    Should Fail And Change Nothing    ${not_found}    Find Task Object By Id    ${missing}
    Should Fail And Change Nothing    ${not_found}    Set Task Object Status    ${missing}    pass
    Should Fail And Change Nothing    ${not_found}
    ...    Finish Task Object    ${missing}    1    fail    error_text=Portal did not answer
    Should Fail And Change Nothing    ${not_found}    Update Payload    ${missing}    ${{ {"amount": 1} }}
    Should Fail And Change Nothing    ${not_found}
    ...    Separate.Update Payload    ${missing}    ${{ {"amount": 1} }}
    Should Fail And Change Nothing    ${not_found}    Set Task Object For Rerun    ${missing}
    Should Fail And Change Nothing    ${not_found}    Decrement Task Object Stage    ${missing}
    Should Fail And Change Nothing    ${not_found}    Update Stage Object    ${missing}    1
    Should Fail And Change Nothing    ${not_found}    Set Stage End Time    ${missing}    1
    Should Fail And Change Nothing    ${not_found}    Increment Retry Count    ${missing}
    Should Fail And Change Nothing    ${not_found}    Release Stale Task Object    ${missing}
    Should Fail And Change Nothing    ${not_found}
    ...    Add Key Value Pair To Payload    ${missing}    amount    ${1}

Unknown Status Is Refused
    Should Fail And Change Nothing    Argument 'status' must be one of *expected_fail*, got 'done' (str).
    ...    Update Status    ${TO}[_id]    1    done
    Should Fail And Change Nothing    Argument 'status' must be one of *, got 'PASS' (str).
    ...    Set Task Object Status    ${TO}[_id]    PASS
    Should Fail And Change Nothing    Argument 'status' must be one of *, got 'passed' (str).
    ...    Finish Task Object    ${TO}[_id]    1    passed
    Should Fail And Change Nothing    Argument 'status' must be one of *, got 'ok' (str).
    ...    Set Stage Status    ${TO}[_id]    1    ok
    Should Fail And Change Nothing    Argument 'status' must be one of *, got 'later' (str).
    ...    Release Stale Task Object    ${TO}[_id]    status=later
    Should Fail And Change Nothing    Argument 'statuses' must be one of *, got 'passed' (str).
    ...    Find One Task Object By Status And Stage    passed    0
    Should Fail And Change Nothing    Argument 'statuses' must be one of *, got 'passed' (str).
    ...    Claim Task Object    2    statuses=passed
    Should Fail And Change Nothing    Argument 'statuses' must be one of *, got 'bogus' (str).
    ...    Find All Task Objects By Status    bogus

Stage That Is Not A Whole Number Is Refused
    Should Fail And Change Nothing    *Argument 'stage' got value 'two'*cannot be converted to integer*
    ...    Set Task Object Stage    ${TO}[_id]    two
    Should Fail And Change Nothing    *Argument 'stage' got value '1.5'*cannot be converted to integer*
    ...    Finish Task Object    ${TO}[_id]    1.5    pass
    Should Fail And Change Nothing    *Argument 'current_stage' got value 'first'*integer*
    ...    Update Stage Object    ${TO}[_id]    first
    Should Fail And Change Nothing    *Argument 'stage' got value 'one'*integer*
    ...    Claim Task Object    one
    Should Fail And Change Nothing    Argument 'stages' must be a whole number, got 'zero' (str).
    ...    Find One Task Object By Status And Stage    pass    zero

Stage That Would Become Negative Is Refused
    Should Fail And Change Nothing    Argument 'stage' must be 0 or more, got -1.
    ...    Set Task Object Stage    ${TO}[_id]    -1
    Should Fail And Change Nothing    Argument 'current_stage' must be 0 or more, got -1.
    ...    Update Status    ${TO}[_id]    -1    pass
    Should Fail And Change Nothing    Task object '${NEW}[_id]' is at stage 0; its stage cannot go below 0.
    ...    Decrement Task Object Stage    ${NEW}[_id]
    Should Fail And Change Nothing    Task object '${NEW}[_id]' is at stage 0; it cannot be set for rerun*
    ...    Set Task Object For Rerun    ${NEW}[_id]
    Should Fail And Change Nothing    Task object '${NEW}[_id]' is at stage 0; it cannot be set for rerun*
    ...    Set Task Object For Rerun    ${NEW}[_id]    defer_until=5 min    max_retries=3
    Should Fail And Change Nothing    Argument 'stage' must be 1 or more for a consumer, got 0*
    ...    Claim Task Object    0
    Should Fail And Change Nothing    Argument 'max_retries' must be 0 or more, got -1.
    ...    Set Task Object For Rerun    ${TO}[_id]    max_retries=-1

Payload Or Update That Is Not A Dictionary Is Refused
    Should Fail And Change Nothing    *Argument 'payload' got value 'not a dict'*cannot be converted to dictionary*
    ...    Create New Task Object    not a dict
    Should Fail And Change Nothing    *Argument 'payload' got value*cannot be converted to dictionary*
    ...    Create New Task Object    ${{ ["a", "b"] }}
    Should Fail And Change Nothing    *Argument 'update' got value*cannot be converted to dictionary*
    ...    Update Payload    ${TO}[_id]    ${{ ["amount", 1] }}
    Should Fail And Change Nothing    *Argument 'new_payload' got value 'text'*cannot be converted to dictionary*
    ...    Set Task Object Payload    ${TO}[_id]    text
    Should Fail And Change Nothing    *Argument 'payload_update' got value*cannot be converted to dictionary*
    ...    Finish Task Object    ${TO}[_id]    1    pass    payload_update=${{ ["total"] }}
    Should Fail And Change Nothing    *Argument 'new_analytics' got value*cannot be converted to dictionary*
    ...    Set Task Object Analytics    ${TO}[_id]    ${5}
    Should Fail And Change Nothing    Argument 'payloads' must be a dictionary, got 'text' (str).
    ...    Create New Task Objects    ${{ [{"invoice": "INV-8"}, "text"] }}
    Should Fail And Change Nothing    *Argument 'update' got value 'text'*cannot be converted to dictionary*
    ...    Separate.Update Payload    ${SEPARATE}[_id]    text

Update With Keys MongoDB Rejects Is Refused
    Should Fail And Change Nothing    Argument 'update' has the field name '$set'; *
    ...    Update Payload    ${TO}[_id]    ${{ {"$set": {"amount": 1}} }}
    Should Fail And Change Nothing    Argument 'update' has the field name ''; *
    ...    Update Payload    ${TO}[_id]    ${{ {"": 1} }}
    Should Fail And Change Nothing    Argument 'update' has the field name '$x'; *
    ...    Separate.Update Payload    ${SEPARATE}[_id]    ${{ {"$x": 1} }}
    Should Fail And Change Nothing    Argument 'new_payload' has the field name '$where'; *
    ...    Set Task Object Payload    ${TO}[_id]    ${{ {"filter": {"$where": "1"}} }}
    Should Fail And Change Nothing    Argument 'payload' has the field name '$bad'; *
    ...    Create New Task Object    ${{ {"$bad": 1} }}
    Should Fail And Change Nothing    Argument 'payload_update' has the field name ''; *
    ...    Finish Task Object    ${TO}[_id]    1    pass    payload_update=${{ {"": 1} }}
    Should Fail And Change Nothing    Argument 'payload_update' has the key 'a.b': *top-level*
    ...    Finish Task Object    ${TO}[_id]    1    pass    payload_update=${{ {"a.b": 1} }}
    Should Fail And Change Nothing    Argument 'key' has an empty field name in 'customer..name'*
    ...    Add Key Value Pair To Payload    ${TO}[_id]    customer..name    Ada
    Should Fail And Change Nothing    Argument 'key' has the field name '$where', which starts with '$'*
    ...    Add Key Value Pair To Payload    ${TO}[_id]    $where    1
    Should Fail And Change Nothing    Argument 'key' has an empty field name in '.pages'*
    ...    Set Task Object Analytics Item    ${TO}[_id]    .pages    ${3}
    Should Fail And Change Nothing    Argument 'field_name' has an empty field name in 'payload..alerts'*
    ...    Push Value To Array Field    ${TO}[_id]    Address changed    payload..alerts
    Should Fail And Change Nothing    Argument 'key' has the field name 'a.$b', which starts with '$'*
    ...    Remove Field From Payload    ${TO}[_id]    a.$b

Update Payload Key With An Empty Dotted Part Is Refused
    [Documentation]    ``Update Payload`` writes each key as ``payload.<key>``, so
    ...    ``a..b``, ``.a`` and ``a.`` are paths with an empty part, which
    ...    MongoDB rejects in updates.
    FOR    ${key}    IN    a..b    .amount    amount.
        Should Fail And Change Nothing    *Argument 'update'*empty*
        ...    Update Payload    ${TO}[_id]    ${{ {$key: 1} }}
        Should Fail And Change Nothing    *Argument 'update'*empty*
        ...    Separate.Update Payload    ${SEPARATE}[_id]    ${{ {$key: 1} }}
    END

Payload Value That Cannot Be Stored Is Refused
    ${a_set} =    Evaluate    {"INV-1", "INV-2"}
    ${an_object} =    Evaluate    object()
    ${cannot_store} =    Set Variable    contains a value MongoDB cannot store:
    Should Fail And Change Nothing    Argument 'payload' ${cannot_store} *
    ...    Create New Task Object    ${{ {"invoices": $a_set} }}
    Should Fail And Change Nothing    Argument 'payload' ${cannot_store} *
    ...    Create New Task Object    ${{ {"handle": $an_object} }}
    Should Fail And Change Nothing    Argument 'payload' ${cannot_store} *
    ...    Separate.Create New Task Object    ${{ {"invoices": $a_set} }}
    Should Fail And Change Nothing    Argument 'update' ${cannot_store} *
    ...    Update Payload    ${TO}[_id]    ${{ {"invoices": $a_set} }}
    Should Fail And Change Nothing    Argument 'update' ${cannot_store} *
    ...    Separate.Update Payload    ${SEPARATE}[_id]    ${{ {"handle": $an_object} }}
    Should Fail And Change Nothing    Argument 'value' ${cannot_store} *
    ...    Add Key Value Pair To Payload    ${TO}[_id]    invoices    ${a_set}
    Should Fail And Change Nothing    Argument 'value' ${cannot_store} *
    ...    Push Value To Array Field    ${TO}[_id]    ${an_object}    analytics.steps
    Should Fail And Change Nothing    Argument 'value' ${cannot_store} *
    ...    Set Task Object Analytics Item    ${TO}[_id]    handle    ${an_object}
    Should Fail And Change Nothing    Argument 'payload_update' ${cannot_store} *
    ...    Finish Task Object    ${TO}[_id]    1    pass    payload_update=${{ {"handle": $an_object} }}

Payload Over 16 MB Is Refused
    [Documentation]    The log level goes down to INFO so that the 17 MB text is
    ...    not written to the outputs as a keyword argument at TRACE level.
    ${level} =    Set Log Level    INFO
    ${text} =    Evaluate    'x' * (17 * 1024 * 1024)
    ${too_large} =    Set Variable    bytes when encoded, more than MongoDB's limit of 16777216 bytes
    Should Fail And Change Nothing    Argument 'payload' is * ${too_large}*
    ...    Create New Task Object    ${{ {"scan": $text} }}
    Should Fail And Change Nothing    Argument 'payload' is * ${too_large}*
    ...    Separate.Create New Task Object    ${{ {"scan": $text} }}
    Should Fail And Change Nothing    Argument 'update' is * ${too_large}*
    ...    Update Payload    ${TO}[_id]    ${{ {"scan": $text} }}
    Should Fail And Change Nothing    Argument 'value' is * ${too_large}*
    ...    Add Key Value Pair To Payload    ${TO}[_id]    scan    ${text}
    [Teardown]    Set Log Level    ${level}

Binary File That Does Not Exist Is Refused
    ${missing} =    Set Variable    ${TEMPDIR}${/}tos-no-such-invoice.pdf
    Remove File    ${missing}
    ${no_file} =    Set Variable    Argument 'filepath' must name an existing file, got
    Should Fail And Change Nothing    ${no_file} '*tos-no-such-invoice.pdf' (str).
    ...    Add Binary Data To Payload    ${TO}[_id]    ${missing}    invoice_pdf
    Should Fail And Change Nothing    ${no_file} '*tos-no-such-invoice.pdf' (str).
    ...    Separate.Add Binary Data To Payload    ${SEPARATE}[_id]    ${missing}    invoice_pdf
    Should Fail And Change Nothing    ${no_file} *
    ...    Add Binary Data To Payload    ${TO}[_id]    ${TEMPDIR}    invoice_pdf

Defer Until That Is Not A Time Is Refused
    Should Fail And Change Nothing    Argument 'defer_until' must be a time * got 'soon'.
    ...    Set Task Object Retry Time    ${TO}[_id]    soon
    Should Fail And Change Nothing    Argument 'defer_until' must be a time * got 'tomorrow morning'.
    ...    Set Task Object For Rerun    ${TO}[_id]    defer_until=tomorrow morning
    Should Fail And Change Nothing    Argument 'defer_until' must be a time * got '2026-13-45 08:00:00'.
    ...    Set Task Object Retry Time    ${TO}[_id]    2026-13-45 08:00:00
    Should Fail And Change Nothing    Argument 'defer_until' must be a time * got "?'5 min'?".
    ...    Set Task Object For Rerun    ${TO}[_id]    defer_until=${{ ["5 min"] }}

Other Arguments Of The Wrong Kind Are Refused
    Should Fail And Change Nothing    *Argument 'new_priority' got value 'high'*cannot be converted to integer*
    ...    Set Task Object Priority    ${TO}[_id]    high
    Should Fail And Change Nothing    *Argument 'priority' got value 'urgent'*cannot be converted to integer*
    ...    Create New Task Object    ${{ {"invoice": "INV-8"} }}    priority=urgent
    Should Fail And Change Nothing    *Argument 'older_than' got value 'soon'*cannot be converted to timedelta*
    ...    Find Stale Task Objects    soon
    Should Fail And Change Nothing    *Argument 'reclaim_stale_after' got value 'soon'*cannot be converted*
    ...    Claim Task Object    1    reclaim_stale_after=soon
    Should Fail And Change Nothing    Argument 'sort_condition' must be a list of (field, direction) pairs, *
    ...    Claim Task Object    1    sort_condition=priority first
    Should Fail And Change Nothing    Argument 'batch_size' must be 1 or more, got 0.
    ...    Create New Task Objects    ${{ [{"invoice": "INV-8"}] }}    batch_size=0

Invalid Collection Name Fails The Import And Creates Nothing
    ${before} =    Get Collection Names
    Importing TOSLibrary Should Fail
    ...    *Collection name 'Invoices.task_objects' is not valid*'collection_prefix'*
    ...    UpperCasePrefix    collection_prefix=Invoices
    Importing TOSLibrary Should Fail
    ...    *Collection name 'task_objects.open items' is not valid*'collection_suffix'*
    ...    SpacedSuffix    collection_suffix=open items
    ${after} =    Get Collection Names
    Lists Should Be Equal    ${after}    ${before}

Payload TTL Without Separate Payloads Fails The Import
    ${before} =    Get Collection Names
    Importing TOSLibrary Should Fail    *'payloads_ttl*' needs 'separate_payloads'*
    ...    TtlWithoutSeparate    collection_prefix=ttl_only    payloads_ttl=60
    Importing TOSLibrary Should Fail    *'payloads_ttl*' must be 0 or more*
    ...    NegativeTtl    collection_prefix=ttl_negative    separate_payloads=True    payloads_ttl=-60
    Importing TOSLibrary Should Fail    *Argument 'payloads_ttl' must be seconds or a time*got 'forever'.*
    ...    WordTtl    collection_prefix=ttl_word    separate_payloads=True    payloads_ttl=forever
    ${after} =    Get Collection Names
    Lists Should Be Equal    ${after}    ${before}

Bulk Creation With A Bad Third Payload Creates Nothing
    ${good} =    Evaluate    [{"invoice": "INV-8"}, {"invoice": "INV-9"}]
    Should Fail And Change Nothing    Argument 'payloads' contains a value MongoDB cannot store*
    ...    Create New Task Objects    ${{ $good + [{"invoices": {"INV-10"}}] }}
    Should Fail And Change Nothing    Argument 'payloads' contains a value MongoDB cannot store*
    ...    Create New Task Objects    ${{ $good + [{"invoices": {"INV-10"}}] }}    batch_size=1
    Should Fail And Change Nothing    Argument 'payloads' has the field name '$x'*
    ...    Create New Task Objects    ${{ $good + [{"$x": 1}] }}    finished=True
    Should Fail And Change Nothing    Argument 'payloads' contains a value MongoDB cannot store*
    ...    Separate.Create New Task Objects    ${{ $good + [{"handle": object()}] }}    batch_size=1
    Should Fail And Change Nothing
    ...    Argument 'reference_field': payload number 3 has 10.5 (float) in 'invoice'*
    ...    Create New Task Objects    ${{ $good + [{"invoice": 10.5}] }}    reference_field=invoice
    Should Fail And Change Nothing
    ...    Argument 'reference_field': payload number 3 has '' (str) in 'invoice'*
    ...    Separate.Create New Task Objects    ${{ $good + [{"invoice": ""}] }}    reference_field=invoice
    Should Fail And Change Nothing
    ...    Argument 'reference_field' names the key 'invoice', but payload number 3 has no such key*
    ...    Create New Task Objects    ${{ $good + [{"Invoice": "INV-10"}] }}    reference_field=invoice


*** Keywords ***
Store Objects To Spoil
    [Documentation]    Each test starts with three stored objects: ``${TO}`` has
    ...    passed stage 1, ``${NEW}`` is new at stage 0 and ``${SEPARATE}``
    ...    keeps its payload in the separate payloads collection.
    Start From Empty Storage
    Empty Task Object Storage    library=Separate
    Create Passed Task Object    invoice=INV-1    amount=${10}
    ${to} =    Claim Task Object    1
    ${to} =    Finish Task Object    ${to}[_id]    1    pass    error_text=Slow portal
    ${new} =    Create New Task Object    ${{ {"invoice": "INV-2"} }}
    ${separate} =    Separate.Create New Task Object    ${{ {"invoice": "INV-3"} }}
    VAR    ${TO}    ${to}    scope=TEST
    VAR    ${NEW}    ${new}    scope=TEST
    VAR    ${SEPARATE}    ${separate}    scope=TEST

Should Fail And Change Nothing
    [Documentation]    Runs the keyword, expects it to fail with an error
    ...    matching ``expected`` (a glob pattern), and checks that every stored
    ...    task object and payload document is exactly as before.
    [Arguments]    ${expected}    ${keyword}    @{args}    &{named}
    ${before} =    Get Stored Snapshot
    ${separate_before} =    Get Stored Snapshot    library=Separate
    ${error} =    Run Keyword And Expect Error    ${expected}    ${keyword}    @{args}    &{named}
    ${after} =    Get Stored Snapshot
    ${separate_after} =    Get Stored Snapshot    library=Separate
    Should Be Equal    ${after}    ${before}    ${keyword} changed stored task objects.    values=False
    Should Be Equal    ${separate_after}    ${separate_before}
    ...    ${keyword} changed stored objects or payloads of separate payloads.    values=False
    RETURN    ${error}
