from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

AUDIT_OUTCOME_ERROR: AuditOutcome
AUDIT_OUTCOME_OK: AuditOutcome
AUDIT_OUTCOME_UNSPECIFIED: AuditOutcome
AUDIT_PROBLEM_HASH: AuditProblem
AUDIT_PROBLEM_HEAD: AuditProblem
AUDIT_PROBLEM_LINK: AuditProblem
AUDIT_PROBLEM_ORDER: AuditProblem
AUDIT_PROBLEM_UNSPECIFIED: AuditProblem
DESCRIPTOR: _descriptor.FileDescriptor

class AuditRecord(_message.Message):
    __slots__ = ["error_code", "hash", "key_id", "operation", "outcome", "prev_hash", "principal", "request_id", "seq", "time"]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    error_code: str
    hash: str
    key_id: str
    operation: str
    outcome: AuditOutcome
    prev_hash: str
    principal: str
    request_id: str
    seq: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, seq: _Optional[int] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., principal: _Optional[str] = ..., operation: _Optional[str] = ..., key_id: _Optional[str] = ..., request_id: _Optional[str] = ..., outcome: _Optional[_Union[AuditOutcome, str]] = ..., error_code: _Optional[str] = ..., hash: _Optional[str] = ..., prev_hash: _Optional[str] = ...) -> None: ...

class CreatePrincipalRequest(_message.Message):
    __slots__ = ["admin", "name"]
    ADMIN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    admin: bool
    name: str
    def __init__(self, name: _Optional[str] = ..., admin: bool = ...) -> None: ...

class CreatePrincipalResponse(_message.Message):
    __slots__ = ["access_key_id", "principal", "secret_access_key", "token"]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    principal: Principal
    secret_access_key: str
    token: str
    def __init__(self, principal: _Optional[_Union[Principal, _Mapping]] = ..., token: _Optional[str] = ..., access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ...) -> None: ...

class DeletePrincipalRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeletePrincipalResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetCallerIdentityRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetCallerIdentityResponse(_message.Message):
    __slots__ = ["admin", "name"]
    ADMIN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    admin: bool
    name: str
    def __init__(self, name: _Optional[str] = ..., admin: bool = ...) -> None: ...

class ListAuditRecordsRequest(_message.Message):
    __slots__ = ["end_time", "key_id", "operation", "outcome", "page_size", "page_token", "principal", "start_time"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    key_id: str
    operation: str
    outcome: AuditOutcome
    page_size: int
    page_token: str
    principal: str
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, principal: _Optional[str] = ..., key_id: _Optional[str] = ..., operation: _Optional[str] = ..., outcome: _Optional[_Union[AuditOutcome, str]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAuditRecordsResponse(_message.Message):
    __slots__ = ["next_page_token", "records"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    records: _containers.RepeatedCompositeFieldContainer[AuditRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[AuditRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListPrincipalsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListPrincipalsResponse(_message.Message):
    __slots__ = ["principals"]
    PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    principals: _containers.RepeatedCompositeFieldContainer[Principal]
    def __init__(self, principals: _Optional[_Iterable[_Union[Principal, _Mapping]]] = ...) -> None: ...

class Principal(_message.Message):
    __slots__ = ["access_key_id", "admin", "create_time", "name"]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    admin: bool
    create_time: _timestamp_pb2.Timestamp
    name: str
    def __init__(self, name: _Optional[str] = ..., admin: bool = ..., access_key_id: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VerifyAuditChainRequest(_message.Message):
    __slots__ = ["expect_head_hash"]
    EXPECT_HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    expect_head_hash: str
    def __init__(self, expect_head_hash: _Optional[str] = ...) -> None: ...

class VerifyAuditChainResponse(_message.Message):
    __slots__ = ["broken_seq", "head_hash", "head_seq", "intact", "problem", "record_count"]
    BROKEN_SEQ_FIELD_NUMBER: _ClassVar[int]
    HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQ_FIELD_NUMBER: _ClassVar[int]
    INTACT_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    RECORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    broken_seq: int
    head_hash: str
    head_seq: int
    intact: bool
    problem: AuditProblem
    record_count: int
    def __init__(self, intact: bool = ..., record_count: _Optional[int] = ..., head_seq: _Optional[int] = ..., head_hash: _Optional[str] = ..., broken_seq: _Optional[int] = ..., problem: _Optional[_Union[AuditProblem, str]] = ...) -> None: ...

class AuditOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class AuditProblem(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
