*** Settings ***
Documentation       An idempotent producer: run twice, it creates each reference
...                 once and gets the existing object back the second time, singly
...                 or in bulk with ``reference_field``. Objects without a
...                 reference are created every time.

Resource            library_imports.resource
Library             TOSLibrary    ${DB_SERVER}    ${DB_NAME}
...                     db_user=${DB_USER}    db_passw=${DB_PASSW}    db_auth_source=${DB_AUTH_SOURCE}
...                     mongo_client_options=${CLIENT_OPTIONS}
...                     collection_prefix=refs    separate_payloads=True
...                 AS    Referenced

Suite Setup         Set Library Search Order    TOSLibrary
Test Setup          Start From Empty Storage


*** Variables ***
@{INVOICES}     INV-1    INV-2    INV-3


*** Test Cases ***
Single Producer Run Twice Creates Each Reference Once
    ${first_run} =    Produce One By One    @{INVOICES}
    ${second_run} =    Produce One By One    @{INVOICES}
    FOR    ${first}    ${second}    IN ZIP    ${first_run}    ${second_run}
        Should Be Equal    ${second}[_id]    ${first}[_id]
        Should Be Equal    ${second}[reference]    ${first}[reference]
    END
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    3
    FOR    ${invoice}    IN    @{INVOICES}
        ${count} =    Count Stored Task Objects    reference=${invoice}
        Should Be Equal As Integers    ${count}    1
    END

Bulk Producer Run Twice Creates Each Reference Once
    ${rows} =    Invoice Rows    @{INVOICES}
    ${first_run} =    Create New Task Objects    ${rows}    reference_field=invoice
    ${second_run} =    Create New Task Objects    ${rows}    reference_field=invoice
    ${first_ids} =    Evaluate    [to["_id"] for to in $first_run]
    ${second_ids} =    Evaluate    [to["_id"] for to in $second_run]
    Lists Should Be Equal    ${second_ids}    ${first_ids}
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    3
    FOR    ${to}    IN    @{first_run}
        ${stored} =    Get Stored Task Object    ${to}[_id]
        Should Be Equal    ${stored}[reference]    ${stored}[payload][invoice]
    END

Overlapping Bulk Run Creates Only The New References
    ${rows} =    Invoice Rows    INV-1    INV-2
    ${first_run} =    Create New Task Objects    ${rows}    reference_field=invoice
    ${rows} =    Invoice Rows    INV-2    INV-3    INV-4
    ${second_run} =    Create New Task Objects    ${rows}    reference_field=invoice
    Length Should Be    ${second_run}    3
    Should Be Equal    ${second_run}[0][_id]    ${first_run}[1][_id]
    @{references} =    Evaluate    [to["reference"] for to in $second_run]
    @{expected} =    Create List    INV-2    INV-3    INV-4
    Lists Should Be Equal    ${references}    ${expected}
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    4

Same Reference Twice In One Bulk Call Creates One Object
    ${rows} =    Invoice Rows    INV-1    INV-2    INV-1
    ${created} =    Create New Task Objects    ${rows}    reference_field=invoice
    Length Should Be    ${created}    3
    Should Be Equal    ${created}[2][_id]    ${created}[0][_id]
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    2

Existing Object Is Returned As It Is Now And Left Unchanged
    ${rows} =    Invoice Rows    INV-1
    Create New Task Objects    ${rows}    finished=True    reference_field=invoice
    ${to} =    Claim Task Object    1
    Finish Task Object    ${to}[_id]    1    pass
    ${before} =    Get Stored Task Object    ${to}[_id]
    &{payload} =    Create Dictionary    invoice=INV-1    amount=${1}
    ${again} =    Create New Task Object    ${payload}    reference=INV-1    finished=True
    Should Be Equal    ${again}    ${before}
    ${created} =    Create New Task Objects    ${rows}    reference_field=invoice
    Should Be Equal    ${created}[0]    ${before}
    ${after} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${after}    ${before}
    Should Be Equal    ${after}[status]    pass
    Should Be Equal As Integers    ${after}[stage]    1

Objects Without A Reference Are Created Every Time
    &{payload} =    Create Dictionary    invoice=INV-1
    ${first} =    Create New Task Object    ${payload}
    ${second} =    Create New Task Object    ${payload}
    Should Not Be Equal    ${second}[_id]    ${first}[_id]
    ${rows} =    Invoice Rows    INV-1    INV-2
    Create New Task Objects    ${rows}
    Create New Task Objects    ${rows}
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    6
    ${stored} =    Get Stored Task Object    ${first}[_id]
    Dictionary Should Not Contain Key    ${stored}    reference

Rows Without The Reference Field Are Refused
    [Documentation]    A misspelt or missing reference field would silently
    ...    queue the same work again on the next run, so nothing is created.
    ${rows} =    Invoice Rows    INV-1
    &{unreferenced} =    Create Dictionary    note=no invoice number
    Append To List    ${rows}    ${unreferenced}
    Run Keyword And Expect Error
    ...    Argument 'reference_field' names the key 'invoice', but payload number 2 has no such key*
    ...    Create New Task Objects    ${rows}    reference_field=invoice
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    0

Whole Number References Are Stored As Text
    ${rows} =    Evaluate    [{"invoice": 1001}, {"invoice": 1002}]
    Create New Task Objects    ${rows}    reference_field=invoice
    ${second_run} =    Create New Task Objects    ${rows}    reference_field=invoice
    Should Be Equal    ${second_run}[0][reference]    1001
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    2

Object Is Found By Its Reference
    ${created} =    Produce One By One    @{INVOICES}
    ${found} =    Find Task Object By Reference    INV-2
    Should Be Equal    ${found}[_id]    ${created}[1][_id]
    ${missing} =    Find Task Object By Reference    INV-404
    Should Be Equal    ${missing}    ${None}

Second Run Leaves No Payload Behind With Separate Payloads
    [Setup]    Empty Task Object Storage    library=Referenced
    ${rows} =    Invoice Rows    @{INVOICES}
    ${first_run} =    Referenced.Create New Task Objects    ${rows}    reference_field=invoice
    ${second_run} =    Referenced.Create New Task Objects    ${rows}    reference_field=invoice
    &{payload} =    Create Dictionary    invoice=INV-1
    ${single} =    Referenced.Create New Task Object    ${payload}    reference=INV-1
    Should Be Equal    ${single}[_id]    ${first_run}[0][_id]
    Should Be Equal    ${single}[payload]    ${payload}
    FOR    ${first}    ${second}    IN ZIP    ${first_run}    ${second_run}
        Should Be Equal    ${second}[_id]    ${first}[_id]
        Should Be Equal    ${second}[payload]    ${first}[payload]
    END
    ${count} =    Count Stored Task Objects    library=Referenced
    Should Be Equal As Integers    ${count}    3
    ${count} =    Count Stored Payload Documents    library=Referenced
    Should Be Equal As Integers    ${count}    3


*** Keywords ***
Produce One By One
    [Documentation]    A producer that creates one object per invoice with the
    ...    invoice number as its reference; returns what it got back.
    [Arguments]    @{invoices}
    @{results} =    Create List
    FOR    ${invoice}    IN    @{invoices}
        &{payload} =    Create Dictionary    invoice=${invoice}
        ${to} =    Create New Task Object    ${payload}    reference=${invoice}    finished=True
        Should Be Equal    ${to}[reference]    ${invoice}
        Append To List    ${results}    ${to}
    END
    RETURN    ${results}

Invoice Rows
    [Arguments]    @{invoices}
    @{rows} =    Create List
    FOR    ${invoice}    IN    @{invoices}
        &{row} =    Create Dictionary    invoice=${invoice}
        Append To List    ${rows}    ${row}
    END
    RETURN    ${rows}
