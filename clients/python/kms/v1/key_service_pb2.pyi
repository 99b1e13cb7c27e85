from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kms.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CancelKeyDeletionRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class CancelKeyDeletionResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class CreateAliasRequest(_message.Message):
    __slots__ = ["alias_name", "key_id"]
    ALIAS_NAME_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    alias_name: str
    key_id: str
    def __init__(self, alias_name: _Optional[str] = ..., key_id: _Optional[str] = ...) -> None: ...

class CreateAliasResponse(_message.Message):
    __slots__ = ["alias"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: _types_pb2.Alias
    def __init__(self, alias: _Optional[_Union[_types_pb2.Alias, _Mapping]] = ...) -> None: ...

class CreateGrantRequest(_message.Message):
    __slots__ = ["constraints", "grant_tokens", "grantee_principal", "key_id", "name", "operations", "retiring_principal"]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    GRANTEE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    RETIRING_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    constraints: _types_pb2.GrantConstraints
    grant_tokens: _containers.RepeatedScalarFieldContainer[str]
    grantee_principal: str
    key_id: str
    name: str
    operations: _containers.RepeatedScalarFieldContainer[str]
    retiring_principal: str
    def __init__(self, key_id: _Optional[str] = ..., grantee_principal: _Optional[str] = ..., retiring_principal: _Optional[str] = ..., operations: _Optional[_Iterable[str]] = ..., constraints: _Optional[_Union[_types_pb2.GrantConstraints, _Mapping]] = ..., name: _Optional[str] = ..., grant_tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateGrantResponse(_message.Message):
    __slots__ = ["grant_id", "grant_token"]
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    grant_id: str
    grant_token: str
    def __init__(self, grant_id: _Optional[str] = ..., grant_token: _Optional[str] = ...) -> None: ...

class CreateKeyRequest(_message.Message):
    __slots__ = ["description", "key_spec", "key_usage", "origin", "policy", "tags"]
    class TagsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KEY_SPEC_FIELD_NUMBER: _ClassVar[int]
    KEY_USAGE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    description: str
    key_spec: _types_pb2.KeySpec
    key_usage: _types_pb2.KeyUsage
    origin: _types_pb2.KeyOrigin
    policy: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, key_spec: _Optional[_Union[_types_pb2.KeySpec, str]] = ..., key_usage: _Optional[_Union[_types_pb2.KeyUsage, str]] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., policy: _Optional[str] = ..., origin: _Optional[_Union[_types_pb2.KeyOrigin, str]] = ...) -> None: ...

class CreateKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class DeleteAliasRequest(_message.Message):
    __slots__ = ["alias_name"]
    ALIAS_NAME_FIELD_NUMBER: _ClassVar[int]
    alias_name: str
    def __init__(self, alias_name: _Optional[str] = ...) -> None: ...

class DeleteAliasResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class DeleteImportedKeyMaterialRequest(_message.Message):
    __slots__ = ["key_id", "key_material_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    key_material_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_material_id: _Optional[str] = ...) -> None: ...

class DeleteImportedKeyMaterialResponse(_message.Message):
    __slots__ = ["key", "key_material_id"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_ID_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    key_material_id: str
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ..., key_material_id: _Optional[str] = ...) -> None: ...

class DescribeKeyRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class DescribeKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class DisableKeyRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class DisableKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class EnableKeyRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class EnableKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class GetKeyPolicyRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class GetKeyPolicyResponse(_message.Message):
    __slots__ = ["key_id", "policy"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    policy: str
    def __init__(self, key_id: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class GetParametersForImportRequest(_message.Message):
    __slots__ = ["key_id", "wrapping_algorithm", "wrapping_key_spec"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    WRAPPING_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    WRAPPING_KEY_SPEC_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    wrapping_algorithm: _types_pb2.WrappingAlgorithm
    wrapping_key_spec: _types_pb2.WrappingKeySpec
    def __init__(self, key_id: _Optional[str] = ..., wrapping_algorithm: _Optional[_Union[_types_pb2.WrappingAlgorithm, str]] = ..., wrapping_key_spec: _Optional[_Union[_types_pb2.WrappingKeySpec, str]] = ...) -> None: ...

class GetParametersForImportResponse(_message.Message):
    __slots__ = ["import_token", "key_id", "parameters_valid_to", "public_key"]
    IMPORT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_VALID_TO_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    import_token: bytes
    key_id: str
    parameters_valid_to: _timestamp_pb2.Timestamp
    public_key: bytes
    def __init__(self, key_id: _Optional[str] = ..., import_token: _Optional[bytes] = ..., public_key: _Optional[bytes] = ..., parameters_valid_to: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ImportKeyMaterialRequest(_message.Message):
    __slots__ = ["encrypted_key_material", "expiration_model", "import_token", "import_type", "key_id", "key_material_description", "key_material_id", "valid_to"]
    ENCRYPTED_KEY_MATERIAL_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_MODEL_FIELD_NUMBER: _ClassVar[int]
    IMPORT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    IMPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_ID_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    encrypted_key_material: bytes
    expiration_model: _types_pb2.ExpirationModel
    import_token: bytes
    import_type: _types_pb2.ImportType
    key_id: str
    key_material_description: str
    key_material_id: str
    valid_to: _timestamp_pb2.Timestamp
    def __init__(self, key_id: _Optional[str] = ..., import_token: _Optional[bytes] = ..., encrypted_key_material: _Optional[bytes] = ..., expiration_model: _Optional[_Union[_types_pb2.ExpirationModel, str]] = ..., valid_to: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., import_type: _Optional[_Union[_types_pb2.ImportType, str]] = ..., key_material_id: _Optional[str] = ..., key_material_description: _Optional[str] = ...) -> None: ...

class ImportKeyMaterialResponse(_message.Message):
    __slots__ = ["key", "key_material_id"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_ID_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    key_material_id: str
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ..., key_material_id: _Optional[str] = ...) -> None: ...

class ListAliasesRequest(_message.Message):
    __slots__ = ["key_id", "page_size", "page_token"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    page_size: int
    page_token: str
    def __init__(self, key_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAliasesResponse(_message.Message):
    __slots__ = ["aliases", "next_page_token"]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    aliases: _containers.RepeatedCompositeFieldContainer[_types_pb2.Alias]
    next_page_token: str
    def __init__(self, aliases: _Optional[_Iterable[_Union[_types_pb2.Alias, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListGrantsRequest(_message.Message):
    __slots__ = ["grant_id", "grantee_principal", "key_id", "page_size", "page_token"]
    GRANTEE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    grant_id: str
    grantee_principal: str
    key_id: str
    page_size: int
    page_token: str
    def __init__(self, key_id: _Optional[str] = ..., grant_id: _Optional[str] = ..., grantee_principal: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListGrantsResponse(_message.Message):
    __slots__ = ["grants", "next_page_token"]
    GRANTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    grants: _containers.RepeatedCompositeFieldContainer[_types_pb2.Grant]
    next_page_token: str
    def __init__(self, grants: _Optional[_Iterable[_Union[_types_pb2.Grant, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListKeyVersionsRequest(_message.Message):
    __slots__ = ["key_id", "page_size", "page_token"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    page_size: int
    page_token: str
    def __init__(self, key_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListKeyVersionsResponse(_message.Message):
    __slots__ = ["key_versions", "next_page_token"]
    KEY_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    key_versions: _containers.RepeatedCompositeFieldContainer[_types_pb2.KeyVersion]
    next_page_token: str
    def __init__(self, key_versions: _Optional[_Iterable[_Union[_types_pb2.KeyVersion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListKeysRequest(_message.Message):
    __slots__ = ["page_size", "page_token"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListKeysResponse(_message.Message):
    __slots__ = ["keys", "next_page_token"]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[_types_pb2.KeyMetadata]
    next_page_token: str
    def __init__(self, keys: _Optional[_Iterable[_Union[_types_pb2.KeyMetadata, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PutKeyPolicyRequest(_message.Message):
    __slots__ = ["key_id", "policy"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    policy: str
    def __init__(self, key_id: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class PutKeyPolicyResponse(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class RetireGrantRequest(_message.Message):
    __slots__ = ["grant_id", "grant_token", "key_id"]
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    GRANT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    grant_id: str
    grant_token: str
    key_id: str
    def __init__(self, grant_token: _Optional[str] = ..., key_id: _Optional[str] = ..., grant_id: _Optional[str] = ...) -> None: ...

class RetireGrantResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class RevokeGrantRequest(_message.Message):
    __slots__ = ["grant_id", "key_id"]
    GRANT_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    grant_id: str
    key_id: str
    def __init__(self, key_id: _Optional[str] = ..., grant_id: _Optional[str] = ...) -> None: ...

class RevokeGrantResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class RotateKeyRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class RotateKeyResponse(_message.Message):
    __slots__ = ["key", "key_version_id"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    key_version_id: str
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ..., key_version_id: _Optional[str] = ...) -> None: ...

class ScheduleKeyDeletionRequest(_message.Message):
    __slots__ = ["key_id", "pending_window_days"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PENDING_WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    pending_window_days: int
    def __init__(self, key_id: _Optional[str] = ..., pending_window_days: _Optional[int] = ...) -> None: ...

class ScheduleKeyDeletionResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class SetMinDecryptionVersionRequest(_message.Message):
    __slots__ = ["key_id", "key_version_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    key_version_id: str
    def __init__(self, key_id: _Optional[str] = ..., key_version_id: _Optional[str] = ...) -> None: ...

class SetMinDecryptionVersionResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class TagKeyRequest(_message.Message):
    __slots__ = ["key_id", "tags"]
    class TagsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, key_id: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TagKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class TrimKeyVersionsRequest(_message.Message):
    __slots__ = ["key_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    def __init__(self, key_id: _Optional[str] = ...) -> None: ...

class TrimKeyVersionsResponse(_message.Message):
    __slots__ = ["key", "trimmed_key_version_ids"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    TRIMMED_KEY_VERSION_IDS_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    trimmed_key_version_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ..., trimmed_key_version_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UntagKeyRequest(_message.Message):
    __slots__ = ["key_id", "tag_keys"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, key_id: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class UntagKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class UpdateAliasRequest(_message.Message):
    __slots__ = ["alias_name", "key_id"]
    ALIAS_NAME_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    alias_name: str
    key_id: str
    def __init__(self, alias_name: _Optional[str] = ..., key_id: _Optional[str] = ...) -> None: ...

class UpdateAliasResponse(_message.Message):
    __slots__ = ["alias"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: _types_pb2.Alias
    def __init__(self, alias: _Optional[_Union[_types_pb2.Alias, _Mapping]] = ...) -> None: ...

class UpdateKeyDescriptionRequest(_message.Message):
    __slots__ = ["description", "key_id"]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    description: str
    key_id: str
    def __init__(self, key_id: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class UpdateKeyDescriptionResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...

class UpdateRotationPolicyRequest(_message.Message):
    __slots__ = ["automatic_rotation", "key_id", "rotation_period_days"]
    AUTOMATIC_ROTATION_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ROTATION_PERIOD_DAYS_FIELD_NUMBER: _ClassVar[int]
    automatic_rotation: bool
    key_id: str
    rotation_period_days: int
    def __init__(self, key_id: _Optional[str] = ..., automatic_rotation: bool = ..., rotation_period_days: _Optional[int] = ...) -> None: ...

class UpdateRotationPolicyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _types_pb2.KeyMetadata
    def __init__(self, key: _Optional[_Union[_types_pb2.KeyMetadata, _Mapping]] = ...) -> None: ...
