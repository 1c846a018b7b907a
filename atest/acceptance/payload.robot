*** Settings ***
Documentation       Payload keywords: the work data of a task object, kept inside the
...                 object or, with ``separate_payloads=True``, in a collection of its
...                 own. Each test reads back what was stored.

Resource            ../resources/common.resource
Library             DateTime
Library             OperatingSystem
Library             TOSLibrary    ${DB_SERVER}    ${DB_NAME}
...                     db_user=${DB_USER}    db_passw=${DB_PASSW}
...                     db_auth_source=${DB_AUTH_SOURCE}
...                     mongo_client_options=${CLIENT_OPTIONS}
...                     separate_payloads=True    collection_prefix=sep
...                 AS    SeparateTOS

Suite Setup         Set Library Search Order    TOSLibrary
Test Setup          Start From Empty Storage


*** Variables ***
${FILE}     ${OUTPUT DIR}${/}payload_atest_invoice.pdf


*** Test Cases ***
Update Payload Sets The Given Keys And Keeps The Others
    ${to} =    Create Passed Task Object    invoice=1234    currency=EUR
    &{address} =    Create Dictionary    city=Turku
    &{update} =    Create Dictionary    total=${120}    currency=USD    address=${address}
    ${before} =    Get UTC Now
    ${updated} =    Update Payload    ${to}[_id]    ${update}
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${updated}    ${stored}
    Should Be Equal
    ...    ${stored}[payload]
    ...    ${{{"invoice": "1234", "currency": "USD", "total": 120, "address": {"city": "Turku"}}}}
    Stored Time Should Be Between    ${stored}[updatedAt]    ${before}    ${after}

Update Payload Replaces A Nested Dictionary As A Whole
    &{address} =    Create Dictionary    city=Turku    street=Linnankatu 1
    ${to} =    Create Passed Task Object    invoice=1234    address=${address}
    &{new address} =    Create Dictionary    city=Oulu
    &{update} =    Create Dictionary    address=${new address}
    Update Payload    ${to}[_id]    ${update}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[payload][address]    ${{{"city": "Oulu"}}}
    Should Be Equal    ${stored}[payload][invoice]    1234

Update Payload Refuses A Key Starting With Dollar
    ${to} =    Create Passed Task Object    invoice=1234
    &{update} =    Create Dictionary    $where=sleep(1000)
    Run Keyword And Expect Error
    ...    Argument 'update' has the field name '$where'; MongoDB rejects empty names and names starting with '$'.
    ...    Update Payload    ${to}[_id]    ${update}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Set Task Object Payload Replaces The Whole Payload
    ${to} =    Create Passed Task Object    invoice=1234    currency=EUR
    &{payload} =    Create Dictionary    order=77
    Set Task Object Payload    ${to}[_id]    ${payload}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[payload]    ${payload}
    Should Be Equal    ${stored}[status]    pass

Add Key Value Pair To Payload Sets A Dotted Path
    ${to} =    Create Passed Task Object    invoice=1234
    Add Key Value Pair To Payload    ${to}[_id]    customer.name    Ada
    Add Key Value Pair To Payload    ${to}[_id]    total    ${120}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal
    ...    ${stored}[payload]
    ...    ${{{"invoice": "1234", "customer": {"name": "Ada"}, "total": 120}}}

Add Key Value Pair To Payload Refuses An Empty Part Of The Key
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Argument 'key' has an empty field name in 'customer..name'; MongoDB rejects empty names and empty parts of dotted names.
    ...    Add Key Value Pair To Payload
    ...    ${to}[_id]
    ...    customer..name
    ...    Ada
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Remove Field From Payload Removes A Key Or A Dotted Path
    &{customer} =    Create Dictionary    name=Ada    phone=555 0100
    ${to} =    Create Passed Task Object    invoice=1234    note=call first    customer=${customer}
    Remove Field From Payload    ${to}[_id]    customer.phone
    Remove Field From Payload    ${to}[_id]    note
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[payload]    ${{{"invoice": "1234", "customer": {"name": "Ada"}}}}

Push Value To Array Field Appends To A List And Creates It When Missing
    ${to} =    Create Passed Task Object    invoice=1234
    Push Value To Array Field    ${to}[_id]    Address changed    payload.alerts
    Push Value To Array Field    ${to}[_id]    Amount over limit    payload.alerts
    Push Value To Array Field    ${to}[_id]    ${3}    analytics.pages
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[payload][alerts]    ${{["Address changed", "Amount over limit"]}}
    Should Be Equal    ${stored}[analytics][pages]    ${{[3]}}

Add Binary Data To Payload And Save Binary Payload To Tmp Round Trip The File's Bytes
    VAR    ${SAVED}    ${FILE}    scope=TEST
    ${content} =    Evaluate    bytes(range(256)) * 64 + b"%PDF-1.7 end"
    Create Binary File    ${FILE}    ${content}
    ${to} =    Create Passed Task Object    invoice=1234
    Add Binary Data To Payload    ${to}[_id]    ${FILE}    invoice_pdf
    ${to} =    Find Task Object By Id    ${to}[_id]
    ${path} =    Save Binary Payload To Tmp    ${to}    invoice_pdf    prefix=invoice_    suffix=.pdf
    VAR    ${SAVED}    ${path}    scope=TEST
    Should Match Regexp    ${path}    invoice_[^/\\\\]*\\.pdf$
    ${saved content} =    Get Binary File    ${path}
    Should Be True    $saved_content == $content    The saved file does not hold the original bytes.
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[payload][invoice]    1234
    ${data} =    Set Variable    ${stored}[payload][invoice_pdf]
    Should Be True
    ...    $data == $content
    ...    The stored data reads back as ${{type($data).__module__}}.${{type($data).__name__}}, not equal to the file's bytes; pymongo reads it from MongoDB as bytes.
    [Teardown]    Remove Files    ${FILE}    ${SAVED}

Add Binary Data To Payload Refuses A Missing File
    ${to} =    Create Passed Task Object    invoice=1234
    Remove File    ${FILE}
    Run Keyword And Expect Error
    ...    Argument 'filepath' must name an existing file, got '${FILE}' (str).
    ...    Add Binary Data To Payload    ${to}[_id]    ${FILE}    invoice_pdf
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}    ${to}

Save Binary Payload To Tmp Refuses A Key The Payload Does Not Have
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Argument 'payload_item_name': the payload has no key 'invoice_pdf'; it has 'invoice'.
    ...    Save Binary Payload To Tmp    ${to}    invoice_pdf
    Run Keyword And Expect Error
    ...    Payload key 'invoice' holds '1234' (str), not binary data.
    ...    Save Binary Payload To Tmp    ${to}    invoice

Separate Payload Is Stored In Its Own Document
    [Setup]    Start From Empty Separate Storage
    &{payload} =    Create Dictionary    invoice=1234
    ${before} =    Get UTC Now
    ${to} =    SeparateTOS.Create New Task Object    ${payload}
    ${after} =    Get UTC Now
    Should Be Equal    ${to}[payload]    ${payload}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=SeparateTOS
    Should Be Equal    ${{list($stored["payload"])}}    ${{["_id"]}}
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=SeparateTOS
    Should Be Equal    ${document}[payload]    ${payload}
    Stored Time Should Be Between    ${document}[createdAt]    ${before}    ${after}
    Should Be Equal    ${document}[updatedAt]    ${document}[createdAt]
    ${count} =    Count Stored Task Objects
    Should Be Equal    ${count}    ${0}

Find Task Object By Id And Merge Payload Returns The Object With Its Payload
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234    amount=${99}
    ${merged} =    SeparateTOS.Find Task Object By Id And Merge Payload    ${to}[_id]
    Should Be Equal    ${merged}[payload]    ${{{"invoice": "1234", "amount": 99}}}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=SeparateTOS
    Should Be Equal    ${merged}[status]    ${stored}[status]
    Should Be Equal    ${merged}[updatedAt]    ${stored}[updatedAt]
    Should Be Equal    ${{list($stored["payload"])}}    ${{["_id"]}}

Find Task Object By Id And Merge Payload Fails When The Payload Has Expired
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234
    ${payload id} =    Let The Payload Expire    ${to}[_id]
    Run Keyword And Expect Error
    ...    The payload '${payload id}' of task object '${to}[_id]' does not exist. Has it expired through the payload TTL?
    ...    SeparateTOS.Find Task Object By Id And Merge Payload
    ...    ${to}[_id]

Find Task Object By Id And Merge Payload Needs Separate Payloads
    ${to} =    Create Passed Task Object    invoice=1234
    Run Keyword And Expect Error
    ...    Operation not supported without separated payloads collection
    ...    Find Task Object By Id And Merge Payload    ${to}[_id]

Find All Task Objects And Merge Them With Payloads Returns The Objects In Claim Order
    [Setup]    Start From Empty Separate Storage
    ${first} =    Create Separate Task Object    invoice=1
    &{payload} =    Create Dictionary    invoice=2
    ${urgent} =    SeparateTOS.Create New Task Object    ${payload}    priority=5
    ${ignored} =    Create Separate Task Object    invoice=3
    @{ids} =    Create List    ${first}[_id]    ${urgent}[_id]
    ${found} =    SeparateTOS.Find All Task Objects And Merge Them With Payloads    ${ids}
    Should Be Equal    ${{[to["payload"] for to in $found]}}    ${{[{"invoice": "2"}, {"invoice": "1"}]}}
    ${stored} =    Get Stored Task Object    ${urgent}[_id]    library=SeparateTOS
    Should Be Equal    ${found}[0][_id]    ${stored}[_id]
    Should Be Equal    ${found}[0][priority]    ${stored}[priority]

Find All Task Objects And Merge Them With Payloads Leaves Out Expired Payloads
    [Setup]    Start From Empty Separate Storage
    ${kept} =    Create Separate Task Object    invoice=1
    ${expired} =    Create Separate Task Object    invoice=2
    Let The Payload Expire    ${expired}[_id]
    @{ids} =    Create List    ${kept}[_id]    ${expired}[_id]
    ${found} =    SeparateTOS.Find All Task Objects And Merge Them With Payloads    ${ids}
    Length Should Be    ${found}    1
    Should Be Equal    ${found}[0][_id]    ${kept}[_id]
    Should Be Equal    ${found}[0][payload]    ${{{"invoice": "1"}}}

Find Payload Document By Payload Id Returns The Whole Payload Document
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234
    ${bare} =    SeparateTOS.Find Task Object By Id    ${to}[_id]
    ${document} =    SeparateTOS.Find Payload Document By Payload Id    ${bare}[payload][_id]
    ${stored} =    Get Stored Payload Document    ${bare}[payload][_id]    library=SeparateTOS
    Should Be Equal    ${document}    ${stored}
    Should Be Equal    ${document}[payload]    ${{{"invoice": "1234"}}}

Find Payload Document By Payload Id Fails For An Unknown Id
    [Setup]    Start From Empty Separate Storage
    Run Keyword And Expect Error
    ...    No payload document has the id '0123456789abcdef01234567'. Has it expired?
    ...    SeparateTOS.Find Payload Document By Payload Id    0123456789abcdef01234567

Find Payload Document By To Id Returns The Payload Document Of The Task Object
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234
    ${document} =    SeparateTOS.Find Payload Document By To Id    ${to}[_id]
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=SeparateTOS
    ${stored document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=SeparateTOS
    Should Be Equal    ${document}    ${stored document}

Update Payload Document And Timestamps Applies A Raw Update And Refreshes Both Times
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234    note=call first
    &{fields} =    Create Dictionary    payload.checked=${True}
    &{removed} =    Create Dictionary    payload.note=${EMPTY}
    &{update} =    Create Dictionary    $set=${fields}    $unset=${removed}
    ${before} =    Get UTC Now
    ${updated} =    SeparateTOS.Update Payload Document And Timestamps    ${to}[_id]    ${update}
    ${after} =    Get UTC Now
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=SeparateTOS
    Should Be Equal    ${updated}    ${stored}
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=SeparateTOS
    Should Be Equal    ${document}[payload]    ${{{"invoice": "1234", "checked": True}}}
    Stored Time Should Be Between    ${document}[updatedAt]    ${before}    ${after}
    Stored Time Should Be Between    ${stored}[updatedAt]    ${before}    ${after}
    Should Be Equal    ${document}[createdAt]    ${to}[createdAt]

Update Payload With Separate Payloads Writes The Payload Document
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234
    &{update} =    Create Dictionary    total=${120}
    ${before} =    Get UTC Now
    ${updated} =    SeparateTOS.Update Payload    ${to}[_id]    ${update}
    ${after} =    Get UTC Now
    Should Be Equal    ${updated}[payload]    ${{{"invoice": "1234", "total": 120}}}
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=SeparateTOS
    Should Be Equal    ${{list($stored["payload"])}}    ${{["_id"]}}
    Stored Time Should Be Between    ${stored}[updatedAt]    ${before}    ${after}
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=SeparateTOS
    Should Be Equal    ${document}[payload]    ${{{"invoice": "1234", "total": 120}}}
    Should Be Equal    ${document}[updatedAt]    ${stored}[updatedAt]

Push Value To Array Field With Separate Payloads Writes Payload Paths To The Payload Document
    [Setup]    Start From Empty Separate Storage
    ${to} =    Create Separate Task Object    invoice=1234
    SeparateTOS.Push Value To Array Field    ${to}[_id]    Address changed    payload.alerts
    SeparateTOS.Push Value To Array Field    ${to}[_id]    ocr    analytics.steps
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=SeparateTOS
    Should Be Equal    ${stored}[analytics][steps]    ${{["ocr"]}}
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=SeparateTOS
    Should Be Equal    ${document}[payload][alerts]    ${{["Address changed"]}}


*** Keywords ***
Start From Empty Separate Storage
    [Documentation]    Empties both libraries' task objects and the separate payloads.
    Start From Empty Storage
    Empty Task Object Storage    library=SeparateTOS

Create Separate Task Object
    [Documentation]    Creates a task object whose payload is kept in the payloads collection.
    [Arguments]    &{payload}
    ${to} =    SeparateTOS.Create New Task Object    ${payload}
    RETURN    ${to}

Let The Payload Expire
    [Documentation]    Deletes a separate payload document, as its TTL index would.
    ...    Returns the id of the deleted payload.
    [Arguments]    ${object_id}
    ${stored} =    Get Stored Task Object    ${object_id}    library=SeparateTOS
    ${storage} =    Get Library Instance    SeparateTOS
    ${payload id} =    Set Variable    ${stored}[payload][_id]
    Evaluate    $storage.tos.payloads_coll.delete_one({"_id": $payload_id})
    RETURN    ${payload id}

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
