*** Settings ***
Documentation       Run by connection.robot in a child Robot Framework process at
...                 log level TRACE. It imports the library with a password that
...                 holds unescaped "/" and "@" in the URI, which pymongo refuses,
...                 so that the parent can look for the password in every output
...                 file.

Variables           ../resources/backend.py
Library             TOSLibrary    mongodb://robot:%{TOS_CHILD_SECRET}@127.0.0.1:9/?authSource=admin    ${DB_NAME}
...                     mongo_client_options={"serverSelectionTimeoutMS": 300}
Library             TOSLibrary    MongoDB://robot:%{TOS_CHILD_SECRET}@127.0.0.1:9/    ${DB_NAME}
...                 mongo_client_options={"serverSelectionTimeoutMS": 300}    AS    MixedCaseScheme


*** Test Cases ***
Use The Library Imported With An Unescaped Password In The URI
    TOSLibrary.Find All Failed Task Objects

Use The Library Imported With A Mixed Case URI Scheme
    MixedCaseScheme.Find All Failed Task Objects
