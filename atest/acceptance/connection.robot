*** Settings ***
Documentation       Connecting: clear, fast failures that name the server, and no
...                 password in any error or output, at any log level.

Resource            ../resources/common.resource


*** Variables ***
${CHILD_SUITE}          ${CURDIR}/../_child_suites/uses_password.robot
${URI_CHILD_SUITE}      ${CURDIR}/../_child_suites/uses_unescaped_uri_password.robot


*** Test Cases ***
Unreachable Server Fails Within The Timeout And Names The Server
    ${started} =    Get Time    epoch
    Run Keyword And Expect Error
    ...    *Could not connect to MongoDB at 127.0.0.1:9 within 500 ms*
    ...    Import Library    TOSLibrary    127.0.0.1:9    ${DB_NAME}
    ...    mongo_client_options={"serverSelectionTimeoutMS": 500}    AS    Unreachable
    ${elapsed} =    Evaluate    time.time() - ${started}    modules=time
    Should Be True    ${elapsed} < 10    The failure took ${elapsed} s, not about 0.5 s.

Password In A URI Is Masked In The Error
    ${error} =    Connect To Closed Port With Password In URI    hunter2secret
    Should Contain    ${error}    mongodb://robot:***@127.0.0.1:9/
    Should Not Contain    ${error}    hunter2secret

Wrong Password Fails With An Authentication Message
    Skip If    '${BACKEND}' == 'embedded'    The embedded backend has no users, so nothing refuses a password.
    ${error} =    Connect With Wrong Password
    ${user} =    Test User
    Should Match    ${error}    *refused the credentials of user '${user}'*

Password Appears Nowhere In Outputs At Trace Level
    [Documentation]    Runs a child suite that connects with the password, works,
    ...    and uses imports with a wrong password and with a password in a URI,
    ...    all at log level TRACE; then reads its console, output.xml, log.html
    ...    and report.html for the password.
    ${child} =    Run Child Suite And Look For Password
    ...    ${CHILD_SUITE}    ${OUTPUT_DIR}${/}secret-check
    Should Be Empty    ${child}[leaks]    The password appears in: ${child}[leaks]
    IF    '${BACKEND}' == 'embedded'
        # The embedded backend accepts any password, so only the closed port fails.
        Should Be Equal    ${child}[summary]    3 tests, 2 passed, 1 failed
    ELSE
        Should Be Equal    ${child}[summary]    3 tests, 1 passed, 2 failed
        Should Contain    ${child}[output]    refused the credentials
    END

Unescaped Password In A URI Appears Nowhere In Outputs At Trace Level
    [Documentation]    Runs a child suite that imports the library with a URI whose
    ...    password holds an unescaped "/" and "@", at log level TRACE; then reads
    ...    its console, output.xml, log.html and report.html for the password and
    ...    for each piece of it around those characters.
    ${child} =    Run Child Suite And Look For Password
    ...    ${URI_CHILD_SUITE}    ${OUTPUT_DIR}${/}uri-secret-check    secret_characters=/@
    Should Be Empty    ${child}[leaks]    The password appears in: ${child}[leaks]
    Should Be Equal    ${child}[summary]    2 tests, 0 passed, 2 failed
    Should Contain    ${child}[output]    mongodb://robot:***@127.0.0.1:9/?authSource=admin
    Should Contain    ${child}[output]    MongoDB://robot:***@127.0.0.1:9/
