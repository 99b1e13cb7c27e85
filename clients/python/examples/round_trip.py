"""Creates a key, round-trips a data key, opens a data key pair's private key, then looks up a key
that does not exist.

    PYTHONPATH=clients/python KMS_ENDPOINT=127.0.0.1:8080 KMS_TOKEN=kms_... \
        /usr/bin/python3 clients/python/examples/round_trip.py

Prints one JSON line with what it saw (never key material); exits non-zero on any unexpected answer.
"""

import base64
import json
import os
import sys

import grpc

from kms.v1 import crypto_service_pb2, crypto_service_pb2_grpc
from kms.v1 import data_key_service_pb2, data_key_service_pb2_grpc
from kms.v1 import key_service_pb2, key_service_pb2_grpc, types_pb2
from kms_errors import error_info, reason

UNKNOWN_KEY = "00000000-0000-4000-8000-000000000000"
PAIR_AAD = b"python example pair"
PAIR_CONTEXT = {"app": "python", "use": "pair"}


def der_element(data: bytes, pos: int = 0):
    """One DER element at `pos`: (tag, contents, position after it). Raises ValueError on bad DER."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, data[pos : pos + length], pos + length


def der_children(data: bytes):
    pos, out = 0, []
    while pos < len(data):
        tag, contents, pos = der_element(data, pos)
        out.append((tag, contents))
    return out


def oid(contents: bytes) -> str:
    parts, value = [contents[0] // 40, contents[0] % 40], 0
    for byte in contents[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def pem_body(pem: bytes, label: str) -> bytes:
    """The DER inside a PEM block with exactly this label."""
    lines = pem.decode("ascii").strip().splitlines()
    if lines[0] != f"-----BEGIN {label}-----" or lines[-1] != f"-----END {label}-----":
        raise ValueError(f"not a PEM {label}")
    return base64.b64decode("".join(lines[1:-1]), validate=True)


def parse_pkcs8_ec(der: bytes):
    """PKCS#8 PrivateKeyInfo → (algorithm OID, curve OID, ECPrivateKey DER)."""
    tag, body, end = der_element(der)
    if tag != 0x30 or end != len(der):
        raise ValueError("PrivateKeyInfo is not one SEQUENCE")
    (vtag, version), (atag, algorithm), (ktag, private_key) = der_children(body)[:3]
    if (vtag, atag, ktag) != (0x02, 0x30, 0x04) or version != b"\x00":
        raise ValueError("not a version 0 PrivateKeyInfo")
    (otag, alg_oid), (ptag, curve_oid) = der_children(algorithm)
    if (otag, ptag) != (0x06, 0x06):
        raise ValueError("bad AlgorithmIdentifier")
    return oid(alg_oid), oid(curve_oid), private_key


def spki_point(der: bytes) -> bytes:
    """SubjectPublicKeyInfo → the public point (the BIT STRING without its unused-bits byte)."""
    tag, body, _ = der_element(der)
    (atag, _alg), (btag, bits) = der_children(body)
    if tag != 0x30 or atag != 0x30 or btag != 0x03 or bits[0] != 0:
        raise ValueError("bad SubjectPublicKeyInfo")
    return bits[1:]


def main() -> int:
    endpoint = os.environ.get("KMS_ENDPOINT", "127.0.0.1:8080")
    token = os.environ["KMS_TOKEN"]
    auth = (("authorization", f"Bearer {token}"),)
    with grpc.insecure_channel(endpoint) as channel:
        keys = key_service_pb2_grpc.KeyServiceStub(channel)
        data_keys = data_key_service_pb2_grpc.DataKeyServiceStub(channel)
        crypto = crypto_service_pb2_grpc.CryptoServiceStub(channel)

        key = keys.CreateKey(
            key_service_pb2.CreateKeyRequest(description="python example"), metadata=auth, timeout=10
        ).key

        # A data key: use its plaintext locally, store the ciphertext blob, Decrypt it later.
        data_key = data_keys.GenerateDataKey(
            data_key_service_pb2.GenerateDataKeyRequest(
                key_id=key.key_id,
                key_spec=types_pb2.DATA_KEY_SPEC_AES_256,
                encryption_context={"app": "python"},
            ),
            metadata=auth,
            timeout=10,
        )
        decrypted = crypto.Decrypt(
            crypto_service_pb2.DecryptRequest(
                ciphertext_blob=data_key.ciphertext_blob, encryption_context={"app": "python"}
            ),
            metadata=auth,
            timeout=10,
        )

        # A data key pair without its plaintext private key: hand out the public key now, and open
        # the private key later with Decrypt in the raw form (key_id, iv, algorithm, the same aad
        # and encryption context).
        pair = data_keys.GenerateDataKeyPairWithoutPlaintext(
            data_key_service_pb2.GenerateDataKeyPairWithoutPlaintextRequest(
                key_id=key.key_id,
                key_pair_spec=types_pb2.KEY_PAIR_SPEC_EC_P256,
                key_format=types_pb2.KEY_FORMAT_PEM,
                aad=PAIR_AAD,
                encryption_context=PAIR_CONTEXT,
            ),
            metadata=auth,
            timeout=30,
        )
        opened = crypto.Decrypt(
            crypto_service_pb2.DecryptRequest(
                ciphertext_blob=pair.private_key_ciphertext_blob,
                key_id=pair.key_id,
                iv=pair.iv,
                algorithm=pair.algorithm,
                aad=PAIR_AAD,
                encryption_context=PAIR_CONTEXT,
            ),
            metadata=auth,
            timeout=10,
        )
        private_pem = opened.plaintext
        algorithm, curve, ec_private_key = parse_pkcs8_ec(pem_body(private_pem, "PRIVATE KEY"))
        point = spki_point(pem_body(pair.public_key, "PUBLIC KEY"))

        # The same raw form with a different aad must not open.
        try:
            crypto.Decrypt(
                crypto_service_pb2.DecryptRequest(
                    ciphertext_blob=pair.private_key_ciphertext_blob,
                    key_id=pair.key_id,
                    iv=pair.iv,
                    algorithm=pair.algorithm,
                    aad=b"some other aad",
                    encryption_context=PAIR_CONTEXT,
                ),
                metadata=auth,
                timeout=10,
            )
            wrong_aad = "OK"
        except grpc.RpcError as err:
            wrong_aad = reason(err)

        try:
            keys.DescribeKey(key_service_pb2.DescribeKeyRequest(key_id=UNKNOWN_KEY), metadata=auth, timeout=10)
            missing = {"code": "OK"}
        except grpc.RpcError as err:
            info = error_info(err)
            missing = {
                "code": err.code().name,
                "reason": info.reason if info else None,
                "domain": info.domain if info else None,
            }

    print(
        json.dumps(
            {
                "key_id": key.key_id,
                "key_state": types_pb2.KeyState.Name(key.key_state),
                "data_key_bytes": len(data_key.plaintext),
                "round_trip": decrypted.plaintext == data_key.plaintext,
                "decrypted_key_id": decrypted.key_id,
                "public_key_pem": pair.public_key.decode("ascii").splitlines()[0],
                "pair": {
                    "key_id": pair.key_id,
                    "algorithm": pair.algorithm,
                    "iv_bytes": len(pair.iv),
                    "opened_by_key_id": opened.key_id,
                    "private_key_pem": private_pem.decode("ascii").splitlines()[0],
                    "private_key_algorithm": algorithm,
                    "private_key_curve": curve,
                    # The ECPrivateKey carries its public point: the pair's two halves belong together.
                    "matches_public_key": point in ec_private_key,
                    "wrong_aad": wrong_aad,
                },
                "missing": missing,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
