*** Settings ***
Documentation       Collection names: ``collection_prefix`` and ``collection_suffix``
...                 name the task object collection ``prefix.task_objects.suffix``
...                 and the payloads collection ``prefix.payloads``; a name MongoDB
...                 or the naming rule ``[0-9a-z_.]`` does not allow fails the import
...                 and creates nothing.

Resource            library_imports.resource
Library             ScenarioHelper.py

Test Setup          Start From Empty Storage


*** Test Cases ***
Prefix And Suffix Name Both Collections
    Import TOSLibrary With Options    Acme
    ...    collection_prefix=acme    collection_suffix=invoices    separate_payloads=True
    Empty Task Object Storage    library=Acme
    ${name} =    Get Collection Name Of Task Objects    library=Acme
    Should Be Equal    ${name}    acme.task_objects.invoices
    ${name} =    Get Collection Name Of Payloads    library=Acme
    Should Be Equal    ${name}    acme.payloads
    &{payload} =    Create Dictionary    invoice=INV-1
    ${to} =    Acme.Create New Task Object    ${payload}
    ${collections} =    Get Collection Names
    List Should Contain Value    ${collections}    acme.task_objects.invoices
    List Should Contain Value    ${collections}    acme.payloads
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Acme
    ${document} =    Get Stored Payload Document    ${stored}[payload][_id]    library=Acme
    Should Be Equal    ${document}[payload]    ${payload}
    ${count} =    Count Stored Task Objects
    Should Be Equal As Integers    ${count}    0    The default collection must stay empty.

Suffix Alone Names Only The Task Object Collection
    Import TOSLibrary With Options    Versioned    collection_suffix=v2
    Empty Task Object Storage    library=Versioned
    &{payload} =    Create Dictionary    invoice=INV-2
    ${to} =    Versioned.Create New Task Object    ${payload}
    ${name} =    Get Collection Name Of Task Objects    library=Versioned
    Should Be Equal    ${name}    task_objects.v2
    ${collections} =    Get Collection Names
    List Should Contain Value    ${collections}    task_objects.v2
    ${stored} =    Get Stored Task Object    ${to}[_id]    library=Versioned
    Should Be Equal    ${stored}[payload]    ${payload}
    Run Keyword And Expect Error    No task object ${to}[_id] is stored.
    ...    Get Stored Task Object    ${to}[_id]

Prefix Alone Names Both Collections
    Import TOSLibrary With Options    Team    collection_prefix=team_7    separate_payloads=True
    Empty Task Object Storage    library=Team
    &{payload} =    Create Dictionary    invoice=INV-3
    Team.Create New Task Object    ${payload}
    ${collections} =    Get Collection Names
    List Should Contain Value    ${collections}    team_7.task_objects
    List Should Contain Value    ${collections}    team_7.payloads

Two Prefixes Keep Their Queues Apart
    Import TOSLibrary With Options    North    collection_prefix=north
    Import TOSLibrary With Options    South    collection_prefix=south
    Empty Task Object Storage    library=North
    Empty Task Object Storage    library=South
    &{payload} =    Create Dictionary    invoice=INV-4
    North.Create New Task Object    ${payload}    finished=True
    ${claimed} =    South.Claim Task Object    1
    Should Be Equal    ${claimed}    ${None}
    ${claimed} =    North.Claim Task Object    1
    Should Be Equal    ${claimed}[payload]    ${payload}
    ${count} =    Count Stored Task Objects    library=South
    Should Be Equal As Integers    ${count}    0

Upper Case Prefix Fails The Import
    Invalid Collection Name Fails The Import    Upper    collection_prefix=Acme

Space In Suffix Fails The Import
    Invalid Collection Name Fails The Import    Spaced    collection_suffix=open items

Dollar Sign In Suffix Fails The Import
    Invalid Collection Name Fails The Import    Dollar    collection_suffix=cost$

Slash In Prefix Fails The Import
    Invalid Collection Name Fails The Import    Slashed    collection_prefix=a/b

System Prefix Fails The Import
    [Documentation]    MongoDB reserves collection names that begin with
    ...    ``system.`` for its own use, so ``system.task_objects`` cannot be a
    ...    task object collection even though its characters are allowed.
    Invalid Collection Name Fails The Import    System    collection_prefix=system


*** Keywords ***
Invalid Collection Name Fails The Import
    [Arguments]    ${alias}    &{options}
    ${before} =    Get Collection Names
    ${error} =    Importing TOSLibrary Should Fail    *Collection name *not valid*    ${alias}
    ...    &{options}
    ${name} =    Evaluate    list($options.values())[0]
    Should Contain    ${error}    ${name}
    Should Contain Any    ${error}    collection_prefix    collection_suffix
    ${after} =    Get Collection Names
    Lists Should Be Equal    ${before}    ${after}
