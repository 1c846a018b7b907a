*** Settings ***
Documentation       Stage 0, the producer: one task object per row of the airport list.
...
...                 The rows are stored as they are, without checking; the next stage
...                 does that. Each object's reference is the airport code, so running
...                 the producer again against the same database queues nothing twice.

Resource            airports.resource


*** Tasks ***
Queue Every Airport Row
    ${rows}    Read Airports    ${DATA_FILE}
    ${created}    Create New Task Objects
    ...    ${rows}
    ...    process_name=airports
    ...    finished=True
    ...    reference_field=iata
    Log    Queued ${{len($created)}} task objects
    Set Global Variable    ${ROWS_READ}    ${{len($rows)}}
