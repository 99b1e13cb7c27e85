from kms.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AdvanceGenerateDataKeyPairRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_format", "key_id", "key_pair_spec"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_FORMAT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_format: _types_pb2.KeyFormat
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    def __init__(self, key_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., key_format: _Optional[_Union[_types_pb2.KeyFormat, str]] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class AdvanceGenerateDataKeyPairResponse(_message.Message):
    __slots__ = ["algorithm", "iv", "key_id", "key_pair_spec", "key_version_id", "private_key_ciphertext_blob", "private_key_plaintext", "public_key", "request_id"]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    algorithm: str
    iv: bytes
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    key_version_id: str
    private_key_ciphertext_blob: bytes
    private_key_plaintext: bytes
    public_key: bytes
    request_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., public_key: _Optional[bytes] = ..., private_key_plaintext: _Optional[bytes] = ..., private_key_ciphertext_blob: _Optional[bytes] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AdvanceGenerateDataKeyPairWithoutPlaintextRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_format", "key_id", "key_pair_spec"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_FORMAT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_format: _types_pb2.KeyFormat
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    def __init__(self, key_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., key_format: _Optional[_Union[_types_pb2.KeyFormat, str]] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class AdvanceGenerateDataKeyPairWithoutPlaintextResponse(_message.Message):
    __slots__ = ["algorithm", "iv", "key_id", "key_pair_spec", "key_version_id", "private_key_ciphertext_blob", "public_key", "request_id"]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    algorithm: str
    iv: bytes
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    key_version_id: str
    private_key_ciphertext_blob: bytes
    public_key: bytes
    request_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., public_key: _Optional[bytes] = ..., private_key_ciphertext_blob: _Optional[bytes] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class BatchGenerateDataKeyItem(_message.Message):
    __slots__ = ["reference", "request"]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    reference: str
    request: GenerateDataKeyRequest
    def __init__(self, reference: _Optional[str] = ..., request: _Optional[_Union[GenerateDataKeyRequest, _Mapping]] = ...) -> None: ...

class BatchGenerateDataKeyRequest(_message.Message):
    __slots__ = ["items"]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[BatchGenerateDataKeyItem]
    def __init__(self, items: _Optional[_Iterable[_Union[BatchGenerateDataKeyItem, _Mapping]]] = ...) -> None: ...

class BatchGenerateDataKeyResponse(_message.Message):
    __slots__ = ["results"]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchGenerateDataKeyResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchGenerateDataKeyResult, _Mapping]]] = ...) -> None: ...

class BatchGenerateDataKeyResult(_message.Message):
    __slots__ = ["error", "reference", "response"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    error: _types_pb2.BatchItemError
    reference: str
    response: GenerateDataKeyResponse
    def __init__(self, reference: _Optional[str] = ..., response: _Optional[_Union[GenerateDataKeyResponse, _Mapping]] = ..., error: _Optional[_Union[_types_pb2.BatchItemError, _Mapping]] = ...) -> None: ...

class GenerateDataKeyPairRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_format", "key_id", "key_pair_spec"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_FORMAT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_format: _types_pb2.KeyFormat
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    def __init__(self, key_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., key_format: _Optional[_Union[_types_pb2.KeyFormat, str]] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GenerateDataKeyPairResponse(_message.Message):
    __slots__ = ["algorithm", "iv", "key_id", "key_pair_spec", "key_version_id", "private_key_ciphertext_blob", "private_key_plaintext", "public_key", "request_id"]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    algorithm: str
    iv: bytes
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    key_version_id: str
    private_key_ciphertext_blob: bytes
    private_key_plaintext: bytes
    public_key: bytes
    request_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., public_key: _Optional[bytes] = ..., private_key_plaintext: _Optional[bytes] = ..., private_key_ciphertext_blob: _Optional[bytes] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GenerateDataKeyPairWithoutPlaintextRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_format", "key_id", "key_pair_spec"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_FORMAT_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_format: _types_pb2.KeyFormat
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    def __init__(self, key_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., key_format: _Optional[_Union[_types_pb2.KeyFormat, str]] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GenerateDataKeyPairWithoutPlaintextResponse(_message.Message):
    __slots__ = ["algorithm", "iv", "key_id", "key_pair_spec", "key_version_id", "private_key_ciphertext_blob", "public_key", "request_id"]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    algorithm: str
    iv: bytes
    key_id: str
    key_pair_spec: _types_pb2.KeyPairSpec
    key_version_id: str
    private_key_ciphertext_blob: bytes
    public_key: bytes
    request_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., key_pair_spec: _Optional[_Union[_types_pb2.KeyPairSpec, str]] = ..., public_key: _Optional[bytes] = ..., private_key_ciphertext_blob: _Optional[bytes] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GenerateDataKeyRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_id", "key_spec", "number_of_bytes"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_SPEC_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_BYTES_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    key_spec: _types_pb2.DataKeySpec
    number_of_bytes: int
    def __init__(self, key_id: _Optional[str] = ..., key_spec: _Optional[_Union[_types_pb2.DataKeySpec, str]] = ..., number_of_bytes: _Optional[int] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., aad: _Optional[bytes] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GenerateDataKeyResponse(_message.Message):
    __slots__ = ["ciphertext_blob", "key_id", "key_version_id", "plaintext"]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    ciphertext_blob: bytes
    key_id: str
    key_version_id: str
    plaintext: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., plaintext: _Optional[bytes] = ..., ciphertext_blob: _Optional[bytes] = ...) -> None: ...

class GenerateDataKeyWithoutPlaintextRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_id", "key_spec", "number_of_bytes"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_SPEC_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_BYTES_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    key_spec: _types_pb2.DataKeySpec
    number_of_bytes: int
    def __init__(self, key_id: _Optional[str] = ..., key_spec: _Optional[_Union[_types_pb2.DataKeySpec, str]] = ..., number_of_bytes: _Optional[int] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., aad: _Optional[bytes] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GenerateDataKeyWithoutPlaintextResponse(_message.Message):
    __slots__ = ["ciphertext_blob", "key_id", "key_version_id"]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ciphertext_blob: bytes
    key_id: str
    key_version_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., ciphertext_blob: _Optional[bytes] = ...) -> None: ...
