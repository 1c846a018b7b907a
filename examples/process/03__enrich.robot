*** Settings ***
Documentation       Stage 2: adds each valid airport's UTC offset from a time zone service.
...
...                 The service is simulated and sometimes does not answer. Then the
...                 task object is sent back to stage 1 as passed, so this stage claims
...                 it again. After ${MAX_RETRIES} retries it ends as ``fail``.

Resource            airports.resource


*** Tasks ***
Enrich Every Valid Airport
    WHILE    True    limit=NONE
        ${airport}    Claim Task Object    ${ENRICH_STAGE}
        IF    $airport is None    BREAK
        Enrich Airport    ${airport}
    END


*** Keywords ***
Enrich Airport
    [Documentation]    Adds the UTC offset to one airport, or records why not.
    [Arguments]    ${airport}
    TRY
        ${offset}    Look Up Utc Offset    ${airport}[payload]
    EXCEPT    Service unavailable: *    type=GLOB    AS    ${error}
        Update Exceptions    ${airport}[_id]    ${ENRICH_STAGE}    ${error}
        Set Task Object For Rerun    ${airport}[_id]    max_retries=${MAX_RETRIES}
    EXCEPT    AS    ${error}
        Finish Task Object    ${airport}[_id]    ${ENRICH_STAGE}    fail    error_text=${error}
    ELSE
        Finish Task Object    ${airport}[_id]    ${ENRICH_STAGE}    pass    payload_update=${offset}
    END
