*** Settings ***
Documentation       Run by connection.robot in a child Robot Framework process at
...                 log level TRACE. It connects with the password as users do,
...                 in the settings, and once with a wrong one, so that the
...                 parent can look for the password in every output file.

Variables           ../resources/backend.py
Library             TOSLibrary    ${DB_SERVER}    ${DB_NAME}
...                     db_user=${DB_USER}    db_passw=%{TOS_CHILD_SECRET}    db_auth_source=${DB_AUTH_SOURCE}
...                     mongo_client_options=${CLIENT_OPTIONS}
Library             TOSLibrary    ${DB_SERVER}    ${DB_NAME}
...                     db_user=${DB_USER}    db_passw=%{TOS_CHILD_SECRET}-wrong    db_auth_source=${DB_AUTH_SOURCE}
...                 mongo_client_options=${CLIENT_OPTIONS}    AS    WrongPassword
Library             TOSLibrary    mongodb://robot:%{TOS_CHILD_SECRET}@127.0.0.1:9/    ${DB_NAME}
...                 mongo_client_options={"serverSelectionTimeoutMS": 300}    AS    ClosedPort


*** Test Cases ***
Work With The Right Password
    &{payload} =    Create Dictionary    invoice=1
    ${to} =    TOSLibrary.Create New Task Object    ${payload}
    TOSLibrary.Update Status    ${to}[_id]    0    pass

Use The Library Imported With A Wrong Password
    WrongPassword.Find All Failed Task Objects

Use The Library Imported With A Password In The URI To A Closed Port
    ClosedPort.Find All Failed Task Objects
