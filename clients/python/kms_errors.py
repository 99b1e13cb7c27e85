"""Reads the google.rpc.ErrorInfo that the kms service attaches to every error.

gRPC carries the rich error as a serialized google.rpc.Status in the `grpc-status-details-bin`
trailer. The usual helper (PyPI's grpcio-status) is not packaged by Debian, so this module decodes
the Status itself, with a descriptor built at import time in a private pool (so it never clashes
with a google.rpc.Status that another library registers). Branch on `reason` (the AWS exception
name, e.g. "NotFoundException"), never on the message text.
"""

from typing import Optional

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory

from google.rpc import error_details_pb2

_DETAILS_KEY = "grpc-status-details-bin"


def _status_class():
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(any_pb2.DESCRIPTOR.serialized_pb)
    proto = descriptor_pb2.FileDescriptorProto(
        name="kms_errors/status.proto",
        package="google.rpc",
        syntax="proto3",
        dependency=["google/protobuf/any.proto"],
    )
    status = proto.message_type.add(name="Status")
    field = descriptor_pb2.FieldDescriptorProto
    status.field.add(name="code", number=1, type=field.TYPE_INT32, label=field.LABEL_OPTIONAL)
    status.field.add(name="message", number=2, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    status.field.add(
        name="details",
        number=3,
        type=field.TYPE_MESSAGE,
        label=field.LABEL_REPEATED,
        type_name=".google.protobuf.Any",
    )
    pool.Add(proto)
    descriptor = pool.FindMessageTypeByName("google.rpc.Status")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


_Status = _status_class()


def error_info(err: grpc.RpcError) -> Optional[error_details_pb2.ErrorInfo]:
    """The ErrorInfo detail of a failed call, or None when the error carries none."""
    trailers = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    for key, value in trailers or ():
        if key != _DETAILS_KEY:
            continue
        status = _Status.FromString(value)
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return info
    return None


def reason(err: grpc.RpcError) -> Optional[str]:
    """The ErrorInfo reason of a failed call (e.g. "NotFoundException"), or None."""
    info = error_info(err)
    return info.reason if info is not None else None
