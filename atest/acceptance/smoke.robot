*** Settings ***
Documentation       The library imports and stores a task object on the chosen backend.

Resource            ../resources/common.resource

Test Setup          Start From Empty Storage


*** Test Cases ***
Created Task Object Is Stored As New At Stage Zero
    &{payload} =    Create Dictionary    invoice=1234
    ${to} =    Create New Task Object    ${payload}
    ${stored} =    Get Stored Task Object    ${to}[_id]
    Should Be Equal    ${stored}[status]    new
    Should Be Equal As Integers    ${stored}[stage]    0
    Should Be Equal    ${stored}[payload][invoice]    1234
