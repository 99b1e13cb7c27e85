/**
 * A minimal proto3 codec for the Alibaba KMS-instance messages, written for the tests from the
 * dkms-gcs SDKs' `api.proto` (field names and numbers transcribed below), independent of this
 * repository's proto file and generated code: if either got a field number wrong, the two would
 * disagree here. Types: `s` string, `b` bytes, `i` int32, `t` bool.
 */
const MESSAGES: Record<string, string> = {
  Error: "StatusCode:1:i ErrorCode:2:s ErrorMessage:3:s RequestId:4:s",
  EncryptRequest: "KeyId:1:s Plaintext:2:b Algorithm:3:s Aad:4:b Iv:5:b PaddingMode:6:s",
  EncryptResponse: "KeyId:1:s CiphertextBlob:2:b Iv:3:b RequestId:4:s Algorithm:5:s PaddingMode:6:s",
  DecryptRequest: "CiphertextBlob:1:b KeyId:2:s Algorithm:3:s Aad:4:b Iv:5:b PaddingMode:6:s",
  DecryptResponse: "KeyId:1:s Plaintext:2:b RequestId:3:s Algorithm:4:s PaddingMode:5:s",
  AdvanceEncryptRequest: "KeyId:1:s Plaintext:2:b Algorithm:3:s Aad:4:b Iv:5:b PaddingMode:6:s",
  AdvanceEncryptResponse:
    "KeyId:1:s CiphertextBlob:2:b Iv:3:b RequestId:4:s Algorithm:5:s PaddingMode:6:s KeyVersionId:7:s",
  AdvanceDecryptRequest: "CiphertextBlob:1:b KeyId:2:s Algorithm:3:s Aad:4:b Iv:5:b PaddingMode:6:s",
  AdvanceDecryptResponse: "KeyId:1:s Plaintext:2:b RequestId:3:s Algorithm:4:s PaddingMode:5:s KeyVersionId:6:s",
  SignRequest: "KeyId:1:s Digest:2:b Algorithm:3:s Message:4:b MessageType:5:s",
  SignResponse: "KeyId:1:s Signature:2:b RequestId:3:s Algorithm:4:s MessageType:5:s",
  VerifyRequest: "KeyId:1:s Digest:2:b Signature:3:b Algorithm:4:s Message:5:b MessageType:6:s",
  VerifyResponse: "KeyId:1:s Value:2:t RequestId:3:s Algorithm:4:s MessageType:5:s",
  GenerateRandomRequest: "Length:1:i",
  GenerateRandomResponse: "Random:1:b RequestId:2:s",
  GenerateDataKeyRequest: "KeyId:1:s Algorithm:2:s NumberOfBytes:3:i Aad:4:b",
  GenerateDataKeyResponse: "KeyId:1:s Iv:2:b Plaintext:3:b CiphertextBlob:4:b RequestId:5:s Algorithm:6:s",
  AdvanceGenerateDataKeyRequest: "KeyId:1:s NumberOfBytes:2:i Aad:3:b",
  AdvanceGenerateDataKeyResponse:
    "KeyId:1:s Iv:2:b Plaintext:3:b CiphertextBlob:4:b RequestId:5:s Algorithm:6:s KeyVersionId:7:s",
  GetPublicKeyRequest: "KeyId:1:s",
  GetPublicKeyResponse: "KeyId:1:s PublicKey:2:s RequestId:3:s",
  GetSecretValueRequest: "SecretName:1:s VersionStage:2:s VersionId:3:s FetchExtendedConfig:4:t",
  GenerateDataKeyPairRequest: "KeyId:1:s Algorithm:2:s KeyPairSpec:3:s KeyFormat:4:s Aad:5:b",
  GenerateDataKeyPairResponse:
    "KeyId:1:s Iv:2:b KeyPairSpec:3:s PrivateKeyPlaintext:4:b PrivateKeyCiphertextBlob:5:b PublicKey:6:b RequestId:7:s Algorithm:8:s",
  GenerateDataKeyPairWithoutPlaintextRequest: "KeyId:1:s Algorithm:2:s KeyPairSpec:3:s KeyFormat:4:s Aad:5:b",
  GenerateDataKeyPairWithoutPlaintextResponse:
    "KeyId:1:s Iv:2:b KeyPairSpec:3:s PrivateKeyCiphertextBlob:4:b PublicKey:5:b RequestId:6:s Algorithm:7:s",
  AdvanceGenerateDataKeyPairRequest: "KeyId:1:s KeyPairSpec:2:s KeyFormat:3:s Aad:4:b",
  AdvanceGenerateDataKeyPairResponse:
    "KeyId:1:s Iv:2:b KeyPairSpec:3:s PrivateKeyPlaintext:4:b PrivateKeyCiphertextBlob:5:b PublicKey:6:b RequestId:7:s Algorithm:8:s KeyVersionId:9:s",
  AdvanceGenerateDataKeyPairWithoutPlaintextRequest: "KeyId:1:s KeyPairSpec:2:s KeyFormat:3:s Aad:4:b",
  AdvanceGenerateDataKeyPairWithoutPlaintextResponse:
    "KeyId:1:s Iv:2:b KeyPairSpec:3:s PrivateKeyCiphertextBlob:4:b PublicKey:5:b RequestId:6:s Algorithm:7:s KeyVersionId:8:s",
};

export type Value = string | Buffer | number | boolean;
export type Fields = Record<string, Value>;
type Field = { name: string; no: number; type: "s" | "b" | "i" | "t" };

function fieldsOf(message: string): Field[] {
  const spec = MESSAGES[message];
  if (!spec) throw new Error(`no message ${message}`);
  return spec.split(" ").map((f) => {
    const [name, no, type] = f.split(":");
    return { name: name!, no: Number(no), type: type as Field["type"] };
  });
}

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return Buffer.from(out);
}

/** Encodes `fields` as `message`; empty values are omitted, as proto3 does. */
export function encode(message: string, fields: Fields): Buffer {
  const byName = new Map(fieldsOf(message).map((f) => [f.name, f]));
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const f = byName.get(name);
    if (!f) throw new Error(`${message} has no field ${name}`);
    if (f.type === "i" || f.type === "t") {
      const n = BigInt(f.type === "t" ? (value ? 1 : 0) : (value as number));
      if (n !== 0n) parts.push(varint(BigInt(f.no << 3)), varint(n));
    } else {
      const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : (value as Buffer);
      if (bytes.length > 0) parts.push(varint(BigInt((f.no << 3) | 2)), varint(BigInt(bytes.length)), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Decodes `bytes` as `message`; a field the message does not have is an error (the server must not invent any). */
export function decode(message: string, bytes: Buffer): Fields {
  const byNo = new Map(fieldsOf(message).map((f) => [f.no, f]));
  const out: Fields = {};
  let pos = 0;
  const read = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error("truncated varint");
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const tag = Number(read());
    const f = byNo.get(tag >> 3);
    if (!f) throw new Error(`${message} has no field number ${tag >> 3}`);
    if ((tag & 7) === 0) {
      const v = read();
      out[f.name] = f.type === "t" ? v !== 0n : Number(BigInt.asIntN(32, v));
    } else if ((tag & 7) === 2) {
      const len = Number(read());
      const chunk = bytes.subarray(pos, pos + len);
      pos += len;
      out[f.name] = f.type === "s" ? chunk.toString("utf8") : Buffer.from(chunk);
    } else {
      throw new Error(`unexpected wire type ${tag & 7}`);
    }
  }
  return out;
}
