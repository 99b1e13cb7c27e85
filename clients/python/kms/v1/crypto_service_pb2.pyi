from kms.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ENCAPSULATION_ALGORITHM_ML_KEM: EncapsulationAlgorithm
ENCAPSULATION_ALGORITHM_UNSPECIFIED: EncapsulationAlgorithm
ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_1: EncryptionAlgorithm
ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_256: EncryptionAlgorithm
ENCRYPTION_ALGORITHM_SYMMETRIC_DEFAULT: EncryptionAlgorithm
ENCRYPTION_ALGORITHM_UNSPECIFIED: EncryptionAlgorithm
KEY_AGREEMENT_ALGORITHM_ECDH: KeyAgreementAlgorithm
KEY_AGREEMENT_ALGORITHM_UNSPECIFIED: KeyAgreementAlgorithm

class AdvanceDecryptRequest(_message.Message):
    __slots__ = ["aad", "ciphertext_blob", "encryption_context", "grant_tokens"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    ciphertext_blob: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ciphertext_blob: _Optional[bytes] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class AdvanceDecryptResponse(_message.Message):
    __slots__ = ["key_id", "key_version_id", "plaintext"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    key_version_id: str
    plaintext: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., plaintext: _Optional[bytes] = ...) -> None: ...

class AdvanceEncryptRequest(_message.Message):
    __slots__ = ["aad", "encryption_context", "grant_tokens", "key_id", "plaintext"]
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
    PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    plaintext: bytes
    def __init__(self, key_id: _Optional[str] = ..., plaintext: _Optional[bytes] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class AdvanceEncryptResponse(_message.Message):
    __slots__ = ["algorithm", "ciphertext_blob", "iv", "key_id", "key_version_id"]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    algorithm: str
    ciphertext_blob: bytes
    iv: bytes
    key_id: str
    key_version_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., ciphertext_blob: _Optional[bytes] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ...) -> None: ...

class BatchDecryptItem(_message.Message):
    __slots__ = ["reference", "request"]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    reference: str
    request: DecryptRequest
    def __init__(self, reference: _Optional[str] = ..., request: _Optional[_Union[DecryptRequest, _Mapping]] = ...) -> None: ...

class BatchDecryptRequest(_message.Message):
    __slots__ = ["items"]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[BatchDecryptItem]
    def __init__(self, items: _Optional[_Iterable[_Union[BatchDecryptItem, _Mapping]]] = ...) -> None: ...

class BatchDecryptResponse(_message.Message):
    __slots__ = ["results"]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchDecryptResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchDecryptResult, _Mapping]]] = ...) -> None: ...

class BatchDecryptResult(_message.Message):
    __slots__ = ["error", "reference", "response"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    error: _types_pb2.BatchItemError
    reference: str
    response: DecryptResponse
    def __init__(self, reference: _Optional[str] = ..., response: _Optional[_Union[DecryptResponse, _Mapping]] = ..., error: _Optional[_Union[_types_pb2.BatchItemError, _Mapping]] = ...) -> None: ...

class BatchEncryptItem(_message.Message):
    __slots__ = ["reference", "request"]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    reference: str
    request: EncryptRequest
    def __init__(self, reference: _Optional[str] = ..., request: _Optional[_Union[EncryptRequest, _Mapping]] = ...) -> None: ...

class BatchEncryptRequest(_message.Message):
    __slots__ = ["advance", "items"]
    ADVANCE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    advance: bool
    items: _containers.RepeatedCompositeFieldContainer[BatchEncryptItem]
    def __init__(self, items: _Optional[_Iterable[_Union[BatchEncryptItem, _Mapping]]] = ..., advance: bool = ...) -> None: ...

class BatchEncryptResponse(_message.Message):
    __slots__ = ["results"]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchEncryptResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchEncryptResult, _Mapping]]] = ...) -> None: ...

class BatchEncryptResult(_message.Message):
    __slots__ = ["error", "reference", "response"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    error: _types_pb2.BatchItemError
    reference: str
    response: EncryptResponse
    def __init__(self, reference: _Optional[str] = ..., response: _Optional[_Union[EncryptResponse, _Mapping]] = ..., error: _Optional[_Union[_types_pb2.BatchItemError, _Mapping]] = ...) -> None: ...

class BatchReEncryptItem(_message.Message):
    __slots__ = ["reference", "request"]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    reference: str
    request: ReEncryptRequest
    def __init__(self, reference: _Optional[str] = ..., request: _Optional[_Union[ReEncryptRequest, _Mapping]] = ...) -> None: ...

class BatchReEncryptRequest(_message.Message):
    __slots__ = ["items"]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[BatchReEncryptItem]
    def __init__(self, items: _Optional[_Iterable[_Union[BatchReEncryptItem, _Mapping]]] = ...) -> None: ...

class BatchReEncryptResponse(_message.Message):
    __slots__ = ["results"]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchReEncryptResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchReEncryptResult, _Mapping]]] = ...) -> None: ...

class BatchReEncryptResult(_message.Message):
    __slots__ = ["error", "reference", "response"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    error: _types_pb2.BatchItemError
    reference: str
    response: ReEncryptResponse
    def __init__(self, reference: _Optional[str] = ..., response: _Optional[_Union[ReEncryptResponse, _Mapping]] = ..., error: _Optional[_Union[_types_pb2.BatchItemError, _Mapping]] = ...) -> None: ...

class DecapsulateRequest(_message.Message):
    __slots__ = ["encapsulation_algorithm", "grant_tokens", "key_id", "shared_secret_ciphertext"]
    ENCAPSULATION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SHARED_SECRET_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    encapsulation_algorithm: EncapsulationAlgorithm
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    shared_secret_ciphertext: bytes
    def __init__(self, key_id: _Optional[str] = ..., shared_secret_ciphertext: _Optional[bytes] = ..., encapsulation_algorithm: _Optional[_Union[EncapsulationAlgorithm, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class DecapsulateResponse(_message.Message):
    __slots__ = ["encapsulation_algorithm", "key_id", "key_version_id", "shared_secret"]
    ENCAPSULATION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SHARED_SECRET_FIELD_NUMBER: _ClassVar[int]
    encapsulation_algorithm: EncapsulationAlgorithm
    key_id: str
    key_version_id: str
    shared_secret: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., shared_secret: _Optional[bytes] = ..., encapsulation_algorithm: _Optional[_Union[EncapsulationAlgorithm, str]] = ...) -> None: ...

class DecryptRequest(_message.Message):
    __slots__ = ["aad", "algorithm", "ciphertext_blob", "encryption_algorithm", "encryption_context", "grant_tokens", "iv", "key_id"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    algorithm: str
    ciphertext_blob: bytes
    encryption_algorithm: EncryptionAlgorithm
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    iv: bytes
    key_id: str
    def __init__(self, ciphertext_blob: _Optional[bytes] = ..., key_id: _Optional[str] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ..., encryption_algorithm: _Optional[_Union[EncryptionAlgorithm, str]] = ...) -> None: ...

class DecryptResponse(_message.Message):
    __slots__ = ["key_id", "key_version_id", "plaintext"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    key_version_id: str
    plaintext: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., plaintext: _Optional[bytes] = ...) -> None: ...

class DeriveSharedSecretRequest(_message.Message):
    __slots__ = ["grant_tokens", "key_agreement_algorithm", "key_id", "public_key"]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_AGREEMENT_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_agreement_algorithm: KeyAgreementAlgorithm
    key_id: str
    public_key: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_agreement_algorithm: _Optional[_Union[KeyAgreementAlgorithm, str]] = ..., public_key: _Optional[bytes] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class DeriveSharedSecretResponse(_message.Message):
    __slots__ = ["key_agreement_algorithm", "key_id", "key_origin", "key_version_id", "shared_secret"]
    KEY_AGREEMENT_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SHARED_SECRET_FIELD_NUMBER: _ClassVar[int]
    key_agreement_algorithm: KeyAgreementAlgorithm
    key_id: str
    key_origin: _types_pb2.KeyOrigin
    key_version_id: str
    shared_secret: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., shared_secret: _Optional[bytes] = ..., key_agreement_algorithm: _Optional[_Union[KeyAgreementAlgorithm, str]] = ..., key_origin: _Optional[_Union[_types_pb2.KeyOrigin, str]] = ...) -> None: ...

class EncapsulateRequest(_message.Message):
    __slots__ = ["encapsulation_algorithm", "grant_tokens", "key_id"]
    ENCAPSULATION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    encapsulation_algorithm: EncapsulationAlgorithm
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ..., encapsulation_algorithm: _Optional[_Union[EncapsulationAlgorithm, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class EncapsulateResponse(_message.Message):
    __slots__ = ["encapsulation_algorithm", "key_id", "key_version_id", "shared_secret", "shared_secret_ciphertext"]
    ENCAPSULATION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SHARED_SECRET_CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    SHARED_SECRET_FIELD_NUMBER: _ClassVar[int]
    encapsulation_algorithm: EncapsulationAlgorithm
    key_id: str
    key_version_id: str
    shared_secret: bytes
    shared_secret_ciphertext: bytes
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., shared_secret: _Optional[bytes] = ..., shared_secret_ciphertext: _Optional[bytes] = ..., encapsulation_algorithm: _Optional[_Union[EncapsulationAlgorithm, str]] = ...) -> None: ...

class EncryptRequest(_message.Message):
    __slots__ = ["aad", "encryption_algorithm", "encryption_context", "grant_tokens", "key_id", "plaintext"]
    class EncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AAD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    aad: bytes
    encryption_algorithm: EncryptionAlgorithm
    encryption_context: _containers.ScalarMap[str, str]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    plaintext: bytes
    def __init__(self, key_id: _Optional[str] = ..., plaintext: _Optional[bytes] = ..., aad: _Optional[bytes] = ..., encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ..., encryption_algorithm: _Optional[_Union[EncryptionAlgorithm, str]] = ...) -> None: ...

class EncryptResponse(_message.Message):
    __slots__ = ["algorithm", "ciphertext_blob", "iv", "key_id", "key_version_id"]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    algorithm: str
    ciphertext_blob: bytes
    iv: bytes
    key_id: str
    key_version_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., ciphertext_blob: _Optional[bytes] = ..., iv: _Optional[bytes] = ..., algorithm: _Optional[str] = ...) -> None: ...

class GenerateMacRequest(_message.Message):
    __slots__ = ["grant_tokens", "key_id", "mac_algorithm", "message"]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    mac_algorithm: _types_pb2.MacAlgorithm
    message: bytes
    def __init__(self, key_id: _Optional[str] = ..., message: _Optional[bytes] = ..., mac_algorithm: _Optional[_Union[_types_pb2.MacAlgorithm, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GenerateMacResponse(_message.Message):
    __slots__ = ["key_id", "key_version_id", "mac", "mac_algorithm"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    MAC_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    key_version_id: str
    mac: bytes
    mac_algorithm: _types_pb2.MacAlgorithm
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., mac: _Optional[bytes] = ..., mac_algorithm: _Optional[_Union[_types_pb2.MacAlgorithm, str]] = ...) -> None: ...

class GenerateRandomRequest(_message.Message):
    __slots__ = ["number_of_bytes"]
    NUMBER_OF_BYTES_FIELD_NUMBER: _ClassVar[int]
    number_of_bytes: int
    def __init__(self, number_of_bytes: _Optional[int] = ...) -> None: ...

class GenerateRandomResponse(_message.Message):
    __slots__ = ["plaintext"]
    PLAINTEXT_FIELD_NUMBER: _ClassVar[int]
    plaintext: bytes
    def __init__(self, plaintext: _Optional[bytes] = ...) -> None: ...

class GetPublicKeyRequest(_message.Message):
    __slots__ = ["grant_tokens", "key_id"]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GetPublicKeyResponse(_message.Message):
    __slots__ = ["encapsulation_algorithms", "encryption_algorithms", "key_agreement_algorithms", "key_id", "key_spec", "key_usage", "key_version_id", "public_key", "signing_algorithms"]
    ENCAPSULATION_ALGORITHMS_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_ALGORITHMS_FIELD_NUMBER: _ClassVar[int]
    KEY_AGREEMENT_ALGORITHMS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_USAGE_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNING_ALGORITHMS_FIELD_NUMBER: _ClassVar[int]
    encapsulation_algorithms: _containers.RepeatedScalarFieldContainer[EncapsulationAlgorithm]
    encryption_algorithms: _containers.RepeatedScalarFieldContainer[EncryptionAlgorithm]
    key_agreement_algorithms: _containers.RepeatedScalarFieldContainer[KeyAgreementAlgorithm]
    key_id: str
    key_spec: _types_pb2.KeySpec
    key_usage: _types_pb2.KeyUsage
    key_version_id: str
    public_key: bytes
    signing_algorithms: _containers.RepeatedScalarFieldContainer[_types_pb2.SigningAlgorithm]
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., public_key: _Optional[bytes] = ..., key_spec: _Optional[_Union[_types_pb2.KeySpec, str]] = ..., key_usage: _Optional[_Union[_types_pb2.KeyUsage, str]] = ..., signing_algorithms: _Optional[_Iterable[_Union[_types_pb2.SigningAlgorithm, str]]] = ..., encryption_algorithms: _Optional[_Iterable[_Union[EncryptionAlgorithm, str]]] = ..., key_agreement_algorithms: _Optional[_Iterable[_Union[KeyAgreementAlgorithm, str]]] = ..., encapsulation_algorithms: _Optional[_Iterable[_Union[EncapsulationAlgorithm, str]]] = ...) -> None: ...

class ReEncryptRequest(_message.Message):
    __slots__ = ["ciphertext_blob", "destination_aad", "destination_encryption_context", "destination_key_id", "grant_tokens", "source_aad", "source_encryption_context"]
    class DestinationEncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class SourceEncryptionContextEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_AAD_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_AAD_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ENCRYPTION_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    ciphertext_blob: bytes
    destination_aad: bytes
    destination_encryption_context: _containers.ScalarMap[str, str]
    destination_key_id: str
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    source_aad: bytes
    source_encryption_context: _containers.ScalarMap[str, str]
    def __init__(self, ciphertext_blob: _Optional[bytes] = ..., source_aad: _Optional[bytes] = ..., source_encryption_context: _Optional[_Mapping[str, str]] = ..., destination_key_id: _Optional[str] = ..., destination_aad: _Optional[bytes] = ..., destination_encryption_context: _Optional[_Mapping[str, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class ReEncryptResponse(_message.Message):
    __slots__ = ["ciphertext_blob", "key_id", "key_version_id", "source_key_id", "source_key_version_id"]
    CIPHERTEXT_BLOB_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ciphertext_blob: bytes
    key_id: str
    key_version_id: str
    source_key_id: str
    source_key_version_id: str
    def __init__(self, source_key_id: _Optional[str] = ..., source_key_version_id: _Optional[str] = ..., key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., ciphertext_blob: _Optional[bytes] = ...) -> None: ...

class SignRequest(_message.Message):
    __slots__ = ["grant_tokens", "key_id", "message", "message_type", "signing_algorithm"]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIGNING_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    message: bytes
    message_type: _types_pb2.MessageType
    signing_algorithm: _types_pb2.SigningAlgorithm
    def __init__(self, key_id: _Optional[str] = ..., message: _Optional[bytes] = ..., message_type: _Optional[_Union[_types_pb2.MessageType, str]] = ..., signing_algorithm: _Optional[_Union[_types_pb2.SigningAlgorithm, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class SignResponse(_message.Message):
    __slots__ = ["key_id", "key_version_id", "signature", "signing_algorithm"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SIGNING_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    key_version_id: str
    signature: bytes
    signing_algorithm: _types_pb2.SigningAlgorithm
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., signature: _Optional[bytes] = ..., signing_algorithm: _Optional[_Union[_types_pb2.SigningAlgorithm, str]] = ...) -> None: ...

class VerifyMacRequest(_message.Message):
    __slots__ = ["grant_tokens", "key_id", "mac", "mac_algorithm", "message"]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    MAC_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    mac: bytes
    mac_algorithm: _types_pb2.MacAlgorithm
    message: bytes
    def __init__(self, key_id: _Optional[str] = ..., message: _Optional[bytes] = ..., mac: _Optional[bytes] = ..., mac_algorithm: _Optional[_Union[_types_pb2.MacAlgorithm, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class VerifyMacResponse(_message.Message):
    __slots__ = ["key_id", "mac_algorithm", "mac_valid"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    MAC_VALID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    mac_algorithm: _types_pb2.MacAlgorithm
    mac_valid: bool
    def __init__(self, key_id: _Optional[str] = ..., mac_valid: bool = ..., mac_algorithm: _Optional[_Union[_types_pb2.MacAlgorithm, str]] = ...) -> None: ...

class VerifyRequest(_message.Message):
    __slots__ = ["grant_tokens", "key_id", "message", "message_type", "signature", "signing_algorithm"]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SIGNING_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    key_id: str
    message: bytes
    message_type: _types_pb2.MessageType
    signature: bytes
    signing_algorithm: _types_pb2.SigningAlgorithm
    def __init__(self, key_id: _Optional[str] = ..., message: _Optional[bytes] = ..., message_type: _Optional[_Union[_types_pb2.MessageType, str]] = ..., signature: _Optional[bytes] = ..., signing_algorithm: _Optional[_Union[_types_pb2.SigningAlgorithm, str]] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class VerifyResponse(_message.Message):
    __slots__ = ["key_id", "signature_valid", "signing_algorithm"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_VALID_FIELD_NUMBER: _ClassVar[int]
    SIGNING_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    signature_valid: bool
    signing_algorithm: _types_pb2.SigningAlgorithm
    def __init__(self, key_id: _Optional[str] = ..., signature_valid: bool = ..., signing_algorithm: _Optional[_Union[_types_pb2.SigningAlgorithm, str]] = ...) -> None: ...

class EncryptionAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyAgreementAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class EncapsulationAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
