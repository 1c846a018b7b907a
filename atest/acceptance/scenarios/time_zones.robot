*** Settings ***
Documentation       Deferral and stage times are right whatever the machine's time
...                 zone. Each test runs the suite in ``_tz_child`` in a child
...                 Robot Framework process with ``TZ`` set far from UTC, on the
...                 same backend (the ``TOS_TEST_*`` variables are inherited).

Resource            ../../resources/common.resource
Library             Process

Test Setup          Start From Empty Storage


*** Variables ***
${CHILD_SUITE}      ${CURDIR}${/}_tz_child${/}deferral_in_local_time.robot


*** Test Cases ***
Deferral And Stage Times Are Right Fourteen Hours Ahead Of UTC
    Child Suite Should Pass In Time Zone    Pacific/Kiritimati    +1400

Deferral And Stage Times Are Right Eleven Hours Behind UTC
    Child Suite Should Pass In Time Zone    Pacific/Pago_Pago    -1100


*** Keywords ***
Child Suite Should Pass In Time Zone
    [Documentation]    Runs the child suite with ``TZ=zone``; it checks that the
    ...    process really has the UTC offset ``offset`` (such as ``+1400``).
    [Arguments]    ${zone}    ${offset}
    ${python} =    Evaluate    sys.executable    modules=sys
    ${name} =    Evaluate    $zone.replace("/", "-").lower()
    ${output} =    Set Variable    ${OUTPUT DIR}${/}time-zone-${name}
    # Run Process logs the whole environment, test password included, at DEBUG.
    ${level} =    Set Log Level    INFO
    TRY
        ${result} =    Run Process    ${python}    -m    robot    --include    tzchild
        ...    --variable    EXPECTED_OFFSET:${offset}    --outputdir    ${output}
        ...    --consolecolors    off    --console    dotted    ${CHILD_SUITE}
        ...    env:TZ=${zone}    stderr=STDOUT    timeout=5 min    on_timeout=terminate
    FINALLY
        Set Log Level    ${level}
    END
    Log    ${result.stdout}
    Should Be Equal As Integers    ${result.rc}    0
    ...    The child run in ${zone} failed; see ${output}${/}log.html.\n${result.stdout}
    ...    values=False
