from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DATA_KEY_SPEC_AES_128: DataKeySpec
DATA_KEY_SPEC_AES_256: DataKeySpec
DATA_KEY_SPEC_UNSPECIFIED: DataKeySpec
DESCRIPTOR: _descriptor.FileDescriptor
EXPIRATION_MODEL_KEY_MATERIAL_DOES_NOT_EXPIRE: ExpirationModel
EXPIRATION_MODEL_KEY_MATERIAL_EXPIRES: ExpirationModel
EXPIRATION_MODEL_UNSPECIFIED: ExpirationModel
IMPORT_STATE_IMPORTED: ImportState
IMPORT_STATE_PENDING_IMPORT: ImportState
IMPORT_STATE_UNSPECIFIED: ImportState
IMPORT_TYPE_EXISTING_KEY_MATERIAL: ImportType
IMPORT_TYPE_NEW_KEY_MATERIAL: ImportType
IMPORT_TYPE_UNSPECIFIED: ImportType
KEY_FORMAT_DER: KeyFormat
KEY_FORMAT_PEM: KeyFormat
KEY_FORMAT_UNSPECIFIED: KeyFormat
KEY_MATERIAL_STATE_CURRENT: KeyMaterialState
KEY_MATERIAL_STATE_NON_CURRENT: KeyMaterialState
KEY_MATERIAL_STATE_PENDING_ROTATION: KeyMaterialState
KEY_MATERIAL_STATE_UNSPECIFIED: KeyMaterialState
KEY_ORIGIN_AWS_KMS: KeyOrigin
KEY_ORIGIN_EXTERNAL: KeyOrigin
KEY_ORIGIN_UNSPECIFIED: KeyOrigin
KEY_PAIR_SPEC_EC_P256: KeyPairSpec
KEY_PAIR_SPEC_EC_P256K: KeyPairSpec
KEY_PAIR_SPEC_EC_P384: KeyPairSpec
KEY_PAIR_SPEC_EC_P521: KeyPairSpec
KEY_PAIR_SPEC_ED25519: KeyPairSpec
KEY_PAIR_SPEC_RSA_2048: KeyPairSpec
KEY_PAIR_SPEC_RSA_3072: KeyPairSpec
KEY_PAIR_SPEC_RSA_4096: KeyPairSpec
KEY_PAIR_SPEC_UNSPECIFIED: KeyPairSpec
KEY_SPEC_AES_256: KeySpec
KEY_SPEC_EC_P256: KeySpec
KEY_SPEC_EC_P256K: KeySpec
KEY_SPEC_EC_P384: KeySpec
KEY_SPEC_EC_P521: KeySpec
KEY_SPEC_ED25519: KeySpec
KEY_SPEC_HMAC_224: KeySpec
KEY_SPEC_HMAC_256: KeySpec
KEY_SPEC_HMAC_384: KeySpec
KEY_SPEC_HMAC_512: KeySpec
KEY_SPEC_RSA_2048: KeySpec
KEY_SPEC_RSA_3072: KeySpec
KEY_SPEC_RSA_4096: KeySpec
KEY_SPEC_UNSPECIFIED: KeySpec
KEY_STATE_DISABLED: KeyState
KEY_STATE_ENABLED: KeyState
KEY_STATE_PENDING_DELETION: KeyState
KEY_STATE_PENDING_IMPORT: KeyState
KEY_STATE_UNSPECIFIED: KeyState
KEY_USAGE_ENCRYPT_DECRYPT: KeyUsage
KEY_USAGE_GENERATE_VERIFY_MAC: KeyUsage
KEY_USAGE_KEY_AGREEMENT: KeyUsage
KEY_USAGE_SIGN_VERIFY: KeyUsage
KEY_USAGE_UNSPECIFIED: KeyUsage
KEY_VERSION_STATE_RETIRED: KeyVersionState
KEY_VERSION_STATE_TRIMMED: KeyVersionState
KEY_VERSION_STATE_UNSPECIFIED: KeyVersionState
KEY_VERSION_STATE_USABLE: KeyVersionState
MAC_ALGORITHM_HMAC_SHA_224: MacAlgorithm
MAC_ALGORITHM_HMAC_SHA_256: MacAlgorithm
MAC_ALGORITHM_HMAC_SHA_384: MacAlgorithm
MAC_ALGORITHM_HMAC_SHA_512: MacAlgorithm
MAC_ALGORITHM_UNSPECIFIED: MacAlgorithm
MESSAGE_TYPE_DIGEST: MessageType
MESSAGE_TYPE_RAW: MessageType
MESSAGE_TYPE_UNSPECIFIED: MessageType
SIGNING_ALGORITHM_ECDSA_SHA_256: SigningAlgorithm
SIGNING_ALGORITHM_ECDSA_SHA_384: SigningAlgorithm
SIGNING_ALGORITHM_ECDSA_SHA_512: SigningAlgorithm
SIGNING_ALGORITHM_ED25519_PH_SHA_512: SigningAlgorithm
SIGNING_ALGORITHM_ED25519_SHA_512: SigningAlgorithm
SIGNING_ALGORITHM_RSASSA_PKCS1_V1_5_SHA_256: SigningAlgorithm
SIGNING_ALGORITHM_RSASSA_PKCS1_V1_5_SHA_384: SigningAlgorithm
SIGNING_ALGORITHM_RSASSA_PKCS1_V1_5_SHA_512: SigningAlgorithm
SIGNING_ALGORITHM_RSASSA_PSS_SHA_256: SigningAlgorithm
SIGNING_ALGORITHM_RSASSA_PSS_SHA_384: SigningAlgorithm
SIGNING_ALGORITHM_RSASSA_PSS_SHA_512: SigningAlgorithm
SIGNING_ALGORITHM_UNSPECIFIED: SigningAlgorithm
WRAPPING_ALGORITHM_RSAES_OAEP_SHA_1: WrappingAlgorithm
WRAPPING_ALGORITHM_RSAES_OAEP_SHA_256: WrappingAlgorithm
WRAPPING_ALGORITHM_RSA_AES_KEY_WRAP_SHA_1: WrappingAlgorithm
WRAPPING_ALGORITHM_RSA_AES_KEY_WRAP_SHA_256: WrappingAlgorithm
WRAPPING_ALGORITHM_UNSPECIFIED: WrappingAlgorithm
WRAPPING_KEY_SPEC_RSA_2048: WrappingKeySpec
WRAPPING_KEY_SPEC_RSA_3072: WrappingKeySpec
WRAPPING_KEY_SPEC_RSA_4096: WrappingKeySpec
WRAPPING_KEY_SPEC_UNSPECIFIED: WrappingKeySpec

class Alias(_message.Message):
    __slots__ = ["alias_arn", "alias_name", "create_time", "target_key_id", "update_time"]
    ALIAS_ARN_FIELD_NUMBER: _ClassVar[int]
    ALIAS_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    TARGET_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    alias_arn: str
    alias_name: str
    create_time: _timestamp_pb2.Timestamp
    target_key_id: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, alias_name: _Optional[str] = ..., alias_arn: _Optional[str] = ..., target_key_id: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BatchItemError(_message.Message):
    __slots__ = ["code", "message", "reason"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    reason: str
    def __init__(self, code: _Optional[str] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class Grant(_message.Message):
    __slots__ = ["constraints", "create_time", "grant_id", "grantee_principal", "issuing_principal", "key_id", "name", "operations", "retiring_principal"]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    GRANTEE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUING_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    RETIRING_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    constraints: GrantConstraints
    create_time: _timestamp_pb2.Timestamp
    grant_id: str
    grantee_principal: str
    issuing_principal: str
    key_id: str
    name: str
    operations: _containers.RepeatedScalarFieldContainer[str]
    retiring_principal: str
    def __init__(self, grant_id: _Optional[str] = ..., key_id: _Optional[str] = ..., grantee_principal: _Optional[str] = ..., retiring_principal: _Optional[str] = ..., operations: _Optional[_Iterable[str]] = ..., constraints: _Optional[_Union[GrantConstraints, _Mapping]] = ..., name: _Optional[str] = ..., issuing_principal: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GrantConstraints(_message.Message):
    __slots__ = ["encryption_context_equals", "encryption_context_subset"]
    class EncryptionContextEqualsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class EncryptionContextSubsetEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENCRYPTION_CONTEXT_EQUALS_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_CONTEXT_SUBSET_FIELD_NUMBER: _ClassVar[int]
    encryption_context_equals: _containers.ScalarMap[str, str]
    encryption_context_subset: _containers.ScalarMap[str, str]
    def __init__(self, encryption_context_equals: _Optional[_Mapping[str, str]] = ..., encryption_context_subset: _Optional[_Mapping[str, str]] = ...) -> None: ...

class KeyMetadata(_message.Message):
    __slots__ = ["arn", "automatic_rotation", "create_time", "current_key_material_id", "deletion_time", "description", "expiration_model", "initial_key_version_id", "key_id", "key_spec", "key_state", "key_usage", "min_decryption_key_version_id", "next_rotation_time", "origin", "primary_key_version_id", "rotation_period_days", "tags", "valid_to"]
    class TagsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ARN_FIELD_NUMBER: _ClassVar[int]
    AUTOMATIC_ROTATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_KEY_MATERIAL_ID_FIELD_NUMBER: _ClassVar[int]
    DELETION_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_MODEL_FIELD_NUMBER: _ClassVar[int]
    INITIAL_KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_STATE_FIELD_NUMBER: _ClassVar[int]
    KEY_USAGE_FIELD_NUMBER: _ClassVar[int]
    MIN_DECRYPTION_KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_ROTATION_TIME_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ROTATION_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    arn: str
    automatic_rotation: bool
    create_time: _timestamp_pb2.Timestamp
    current_key_material_id: str
    deletion_time: _timestamp_pb2.Timestamp
    description: str
    expiration_model: ExpirationModel
    initial_key_version_id: str
    key_id: str
    key_spec: KeySpec
    key_state: KeyState
    key_usage: KeyUsage
    min_decryption_key_version_id: str
    next_rotation_time: _timestamp_pb2.Timestamp
    origin: KeyOrigin
    primary_key_version_id: str
    rotation_period_days: int
    tags: _containers.ScalarMap[str, str]
    valid_to: _timestamp_pb2.Timestamp
    def __init__(self, key_id: _Optional[str] = ..., arn: _Optional[str] = ..., description: _Optional[str] = ..., key_spec: _Optional[_Union[KeySpec, str]] = ..., key_usage: _Optional[_Union[KeyUsage, str]] = ..., key_state: _Optional[_Union[KeyState, str]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., deletion_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., initial_key_version_id: _Optional[str] = ..., primary_key_version_id: _Optional[str] = ..., automatic_rotation: bool = ..., rotation_period_days: _Optional[int] = ..., next_rotation_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ..., min_decryption_key_version_id: _Optional[str] = ..., origin: _Optional[_Union[KeyOrigin, str]] = ..., expiration_model: _Optional[_Union[ExpirationModel, str]] = ..., valid_to: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., current_key_material_id: _Optional[str] = ...) -> None: ...

class KeyVersion(_message.Message):
    __slots__ = ["create_time", "expiration_model", "import_state", "key_id", "key_material_description", "key_material_state", "key_version_id", "state", "valid_to"]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_MODEL_FIELD_NUMBER: _ClassVar[int]
    IMPORT_STATE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_STATE_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    create_time: _timestamp_pb2.Timestamp
    expiration_model: ExpirationModel
    import_state: ImportState
    key_id: str
    key_material_description: str
    key_material_state: KeyMaterialState
    key_version_id: str
    state: KeyVersionState
    valid_to: _timestamp_pb2.Timestamp
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[KeyVersionState, str]] = ..., key_material_state: _Optional[_Union[KeyMaterialState, str]] = ..., import_state: _Optional[_Union[ImportState, str]] = ..., expiration_model: _Optional[_Union[ExpirationModel, str]] = ..., valid_to: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., key_material_description: _Optional[str] = ...) -> None: ...

class KeySpec(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyUsage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class DataKeySpec(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyPairSpec(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class SigningAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MessageType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MacAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyMaterialState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ImportState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyVersionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyOrigin(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class WrappingAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class WrappingKeySpec(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ExpirationModel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ImportType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
