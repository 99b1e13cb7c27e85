import * as aws from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import * as convert from "../../../src/api/convert.js";
import * as awsEnums from "../../../src/aws/enums.js";
import {
  DATA_KEY_SPECS,
  ENCAPSULATION_ALGORITHMS,
  ENCRYPTION_ALGORITHMS,
  KEY_AGREEMENT_ALGORITHMS,
  KEY_FORMATS,
  KEY_STATES,
  KEY_USAGES,
  MAC_ALGORITHMS,
  MESSAGE_TYPES,
  SIGNING_ALGORITHMS,
  type WireNames,
} from "../../../src/domain/algorithms.js";
import { algorithmsOf, KEY_PAIR_SPECS, KEY_SPECS, specRow } from "../../../src/domain/specs.js";
import {
  EXPIRATION_MODELS,
  IMPORT_TYPES,
  KEY_ORIGINS,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
} from "../../../src/domain/key-import.js";
import {
  EncapsulationAlgorithm,
  EncryptionAlgorithm,
  KeyAgreementAlgorithm,
} from "../../../gen/kms/v1/crypto_service_pb.js";
import {
  DataKeySpec,
  ExpirationModel,
  ImportType,
  KeyOrigin,
  WrappingAlgorithm,
  WrappingKeySpec,
  KeyFormat,
  KeyPairSpec,
  KeySpec,
  KeyState,
  KeyUsage,
  MacAlgorithm,
  MessageType,
  SigningAlgorithm,
} from "../../../gen/kms/v1/types_pb.js";
import { expectKmsError } from "../crypto/helpers.js";

type Table = Record<string, WireNames>;

/** The named values of a protobuf-es enum object (it maps both names → numbers and numbers → names). */
function protoValues(e: Record<string, string | number>): [string, number][] {
  return Object.entries(e).filter((entry): entry is [string, number] => typeof entry[1] === "number");
}

/**
 * Every kms.v1 enum beside the catalogue table that gives its values, and the Connect mapping
 * functions (`src/api/convert.ts`) for the enums the services read or write.
 */
const PROTO_ENUMS: {
  name: string;
  e: Record<string, string | number>;
  table: Table;
  toCore?: (n: never) => string | undefined;
  fromCore?: (s: never) => number;
}[] = [
  { name: "KeySpec", e: KeySpec, table: KEY_SPECS, toCore: convert.toKeySpec, fromCore: convert.fromKeySpec },
  { name: "KeyUsage", e: KeyUsage, table: KEY_USAGES, toCore: convert.toKeyUsage, fromCore: convert.fromKeyUsage },
  { name: "KeyState", e: KeyState, table: KEY_STATES, fromCore: convert.fromKeyState },
  { name: "DataKeySpec", e: DataKeySpec, table: DATA_KEY_SPECS, toCore: convert.toDataKeySpec },
  {
    name: "KeyPairSpec",
    e: KeyPairSpec,
    table: KEY_PAIR_SPECS,
    toCore: convert.toPairSpec,
    fromCore: convert.fromPairSpec,
  },
  { name: "KeyFormat", e: KeyFormat, table: KEY_FORMATS, toCore: convert.toKeyFormat },
  {
    name: "SigningAlgorithm",
    e: SigningAlgorithm,
    table: SIGNING_ALGORITHMS,
    toCore: convert.toSigningAlgorithm,
    fromCore: convert.fromSigningAlgorithm,
  },
  { name: "MessageType", e: MessageType, table: MESSAGE_TYPES, toCore: convert.toMessageType },
  {
    name: "MacAlgorithm",
    e: MacAlgorithm,
    table: MAC_ALGORITHMS,
    toCore: convert.toMacAlgorithm,
    fromCore: convert.fromMacAlgorithm,
  },
  {
    name: "KeyAgreementAlgorithm",
    e: KeyAgreementAlgorithm,
    table: KEY_AGREEMENT_ALGORITHMS,
    toCore: convert.toKeyAgreementAlgorithm,
    fromCore: convert.fromKeyAgreementAlgorithm,
  },
  {
    name: "KeyOrigin",
    e: KeyOrigin,
    table: KEY_ORIGINS,
    toCore: convert.toKeyOrigin,
    fromCore: convert.fromKeyOrigin,
  },
  { name: "WrappingAlgorithm", e: WrappingAlgorithm, table: WRAPPING_ALGORITHMS },
  { name: "WrappingKeySpec", e: WrappingKeySpec, table: WRAPPING_KEY_SPECS },
  { name: "ExpirationModel", e: ExpirationModel, table: EXPIRATION_MODELS },
  { name: "ImportType", e: ImportType, table: IMPORT_TYPES },
  {
    name: "EncryptionAlgorithm",
    e: EncryptionAlgorithm,
    table: ENCRYPTION_ALGORITHMS,
    toCore: convert.toEncryptionAlgorithm,
    fromCore: convert.fromEncryptionAlgorithm,
  },
  {
    name: "EncapsulationAlgorithm",
    e: EncapsulationAlgorithm,
    table: ENCAPSULATION_ALGORITHMS,
    toCore: convert.toEncapsulationAlgorithm,
    fromCore: convert.fromEncapsulationAlgorithm,
  },
];

/** A row's name as kms.v1 spells the value: upper snake case (`PendingDeletion` → `PENDING_DELETION`). */
const protoName = (row: string) => row.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

describe("the catalogue ↔ kms.v1", () => {
  for (const { name, e, table, toCore, fromCore } of PROTO_ENUMS) {
    it(`${name}: every kms.v1 value has one row of its name, every row's value is kms.v1's, both map both ways`, () => {
      const wire = protoValues(e).filter(([n]) => n !== "UNSPECIFIED");
      expect(wire.length).toBeGreaterThan(0);
      for (const [valueName, value] of wire) {
        const rows = Object.keys(table).filter((row) => table[row]!.proto === value);
        expect(rows.map(protoName), `${name}.${valueName}`).toEqual([valueName]);
        if (toCore) expect(toCore(value as never)).toBe(rows[0]);
        if (fromCore) expect(fromCore(rows[0] as never)).toBe(value);
      }
      for (const [row, names] of Object.entries(table)) {
        if (names.proto !== undefined) expect(e[protoName(row)], `${name} row ${row}`).toBe(names.proto);
      }
      if (toCore) {
        expectKmsError(() => toCore(999 as never), "InvalidArgument");
      }
    });
  }
});

/**
 * The specs whose AWS name the deprecated `CustomerMasterKeySpec` enum has (all but Ed25519 and the
 * post-quantum ML-DSA/ML-KEM specs: AWS froze the enum before them).
 */
const LEGACY_KEY_SPECS: Table = Object.fromEntries(
  Object.entries(KEY_SPECS).filter(([s]) => specRow(s as keyof typeof KEY_SPECS).legacyAwsName !== false),
);

/**
 * Every AWS enum the AWS endpoint reads or writes, beside the catalogue table and the derived
 * lookup of `src/aws/enums.ts`. `sdk` is the enum as `@aws-sdk/client-kms` spells it.
 */
const AWS_ENUMS: { name: string; sdk: Record<string, string>; table: Table; lookup: Record<string, string> }[] = [
  { name: "KeySpec", sdk: aws.KeySpec, table: KEY_SPECS, lookup: awsEnums.AWS_KEY_SPECS },
  {
    name: "CustomerMasterKeySpec",
    sdk: aws.CustomerMasterKeySpec,
    table: LEGACY_KEY_SPECS,
    lookup: Object.fromEntries(Object.entries(awsEnums.AWS_KEY_SPECS).filter(([, s]) => s in LEGACY_KEY_SPECS)),
  },
  { name: "DataKeyPairSpec", sdk: aws.DataKeyPairSpec, table: KEY_PAIR_SPECS, lookup: awsEnums.AWS_PAIR_SPECS },
  { name: "KeyUsageType", sdk: aws.KeyUsageType, table: KEY_USAGES, lookup: awsEnums.AWS_KEY_USAGES },
  { name: "KeyState", sdk: aws.KeyState, table: KEY_STATES, lookup: awsEnums.AWS_KEY_STATES },
  { name: "DataKeySpec", sdk: aws.DataKeySpec, table: DATA_KEY_SPECS, lookup: awsEnums.AWS_DATA_KEY_SPECS },
  {
    name: "EncryptionAlgorithmSpec",
    sdk: aws.EncryptionAlgorithmSpec,
    table: ENCRYPTION_ALGORITHMS,
    lookup: awsEnums.AWS_ENCRYPTION_ALGORITHMS,
  },
  {
    name: "SigningAlgorithmSpec",
    sdk: aws.SigningAlgorithmSpec,
    table: SIGNING_ALGORITHMS,
    lookup: awsEnums.AWS_SIGNING_ALGORITHMS,
  },
  { name: "MacAlgorithmSpec", sdk: aws.MacAlgorithmSpec, table: MAC_ALGORITHMS, lookup: awsEnums.AWS_MAC_ALGORITHMS },
  {
    name: "KeyAgreementAlgorithmSpec",
    sdk: aws.KeyAgreementAlgorithmSpec,
    table: KEY_AGREEMENT_ALGORITHMS,
    lookup: awsEnums.AWS_KEY_AGREEMENT_ALGORITHMS,
  },
  { name: "MessageType", sdk: aws.MessageType, table: MESSAGE_TYPES, lookup: awsEnums.AWS_MESSAGE_TYPES },
  {
    name: "EncapsulationAlgorithmSpec",
    sdk: aws.EncapsulationAlgorithmSpec,
    table: ENCAPSULATION_ALGORITHMS,
    lookup: awsEnums.AWS_ENCAPSULATION_ALGORITHMS,
  },
  { name: "OriginType", sdk: aws.OriginType, table: KEY_ORIGINS, lookup: awsEnums.AWS_ORIGINS },
  {
    name: "AlgorithmSpec",
    sdk: aws.AlgorithmSpec,
    table: WRAPPING_ALGORITHMS,
    lookup: awsEnums.AWS_WRAPPING_ALGORITHMS,
  },
  {
    name: "WrappingKeySpec",
    sdk: aws.WrappingKeySpec,
    table: WRAPPING_KEY_SPECS,
    lookup: awsEnums.AWS_WRAPPING_KEY_SPECS,
  },
  {
    name: "ExpirationModelType",
    sdk: aws.ExpirationModelType,
    table: EXPIRATION_MODELS,
    lookup: awsEnums.AWS_EXPIRATION_MODELS,
  },
  { name: "ImportType", sdk: aws.ImportType, table: IMPORT_TYPES, lookup: awsEnums.AWS_IMPORT_TYPES },
];

describe("the catalogue ↔ AWS", () => {
  for (const { name, sdk, table, lookup } of AWS_ENUMS) {
    it(`${name}: every row's AWS name is AWS's and maps back to the row; other AWS values are refused`, () => {
      const rows = Object.entries(table).filter(([, w]) => w.aws !== undefined);
      expect(rows.length).toBeGreaterThan(0);
      for (const [row, w] of rows) {
        expect(Object.values(sdk), `${name} ${w.aws}`).toContain(w.aws);
        expect(awsEnums.fromAws(lookup, name, w.aws!)).toBe(row);
        expect(awsEnums.toAws(table, row)).toBe(w.aws);
      }
      expect(Object.keys(lookup).sort()).toEqual(rows.map(([, w]) => w.aws).sort());
      for (const other of Object.values(sdk).filter((v) => !Object.hasOwn(lookup, v))) {
        expectKmsError(() => awsEnums.fromAws(lookup, name, other), "InvalidArgument");
      }
      expectKmsError(() => awsEnums.fromAws(lookup, name, "__proto__"), "InvalidArgument");
    });
  }

  it("the AWS names of the key specs and pair specs are those AWS documents", () => {
    expect(awsEnums.awsKeySpec("AES_256")).toBe("SYMMETRIC_DEFAULT");
    expect(awsEnums.awsKeySpec("EC_P256")).toBe("ECC_NIST_P256");
    expect(awsEnums.awsKeySpec("EC_P256K")).toBe("ECC_SECG_P256K1");
    expect(awsEnums.awsPairSpec("EC_P256K")).toBe("ECC_SECG_P256K1");
    expect(awsEnums.awsPairSpec("RSA_4096")).toBe("RSA_4096");
    expect(awsEnums.awsKeySpec("EC_P384")).toBe("ECC_NIST_P384");
    expect(awsEnums.awsKeySpec("EC_P521")).toBe("ECC_NIST_P521");
    expect(awsEnums.awsKeySpec("ED25519")).toBe("ECC_NIST_EDWARDS25519");
    expect(awsEnums.awsPairSpec("ED25519")).toBe("ECC_NIST_EDWARDS25519");
    expect(awsEnums.awsKeySpec("HMAC_224")).toBe("HMAC_224");
    expect(awsEnums.awsLegacyKeySpec("ED25519")).toEqual({});
    expect(awsEnums.awsLegacyKeySpec("EC_P521")).toEqual({ CustomerMasterKeySpec: "ECC_NIST_P521" });
  });
});

describe("the catalogue's rows", () => {
  it("pair specs are exactly the asymmetric key specs but ML-DSA (AWS has no ML-DSA pairs), with the same AWS name", () => {
    const asymmetric = Object.keys(KEY_SPECS).filter((s) => {
      const row = specRow(s as keyof typeof KEY_SPECS);
      return row.generate.kind !== "random" && row.family !== "ML_DSA";
    });
    expect(Object.keys(KEY_PAIR_SPECS)).toEqual(asymmetric);
    for (const [spec, pair] of Object.entries(KEY_PAIR_SPECS)) {
      expect(pair.aws).toBe(KEY_SPECS[spec as keyof typeof KEY_SPECS].aws);
    }
  });

  it("lists each key's algorithms only for its usage, as DescribeKey does", () => {
    expect(algorithmsOf({ spec: "AES_256", usage: "ENCRYPT_DECRYPT" })).toEqual({
      encryption: ["SYMMETRIC_DEFAULT"],
      signing: [],
      mac: [],
      agreement: [],
      encapsulation: [],
    });
    expect(algorithmsOf({ spec: "RSA_2048", usage: "ENCRYPT_DECRYPT" }).encryption).toEqual([
      "RSAES_OAEP_SHA_1",
      "RSAES_OAEP_SHA_256",
    ]);
    expect(algorithmsOf({ spec: "RSA_2048", usage: "SIGN_VERIFY" })).toMatchObject({ encryption: [], mac: [] });
    expect(algorithmsOf({ spec: "RSA_3072", usage: "SIGN_VERIFY" }).signing).toHaveLength(6);
    expect(algorithmsOf({ spec: "EC_P256K", usage: "SIGN_VERIFY" }).signing).toEqual(["ECDSA_SHA_256"]);
    expect(algorithmsOf({ spec: "HMAC_256", usage: "GENERATE_VERIFY_MAC" })).toEqual({
      encryption: [],
      signing: [],
      mac: ["HMAC_SHA_256"],
      agreement: [],
      encapsulation: [],
    });
    expect(algorithmsOf({ spec: "HMAC_384", usage: "GENERATE_VERIFY_MAC" }).mac).toEqual(["HMAC_SHA_384"]);
    expect(algorithmsOf({ spec: "EC_P384", usage: "SIGN_VERIFY" })).toMatchObject({
      signing: ["ECDSA_SHA_384"],
      agreement: [],
    });
    expect(algorithmsOf({ spec: "EC_P521", usage: "KEY_AGREEMENT" })).toEqual({
      encryption: [],
      signing: [],
      mac: [],
      agreement: ["ECDH"],
      encapsulation: [],
    });
    expect(algorithmsOf({ spec: "ML_DSA_65", usage: "SIGN_VERIFY" }).signing).toEqual(["ML_DSA_SHAKE_256"]);
    expect(algorithmsOf({ spec: "ML_KEM_768", usage: "ENCAPSULATE_DECAPSULATE" })).toEqual({
      encryption: [],
      signing: [],
      mac: [],
      agreement: [],
      encapsulation: ["ML_KEM"],
    });
    expect(algorithmsOf({ spec: "ED25519", usage: "SIGN_VERIFY" }).signing).toEqual([
      "ED25519_SHA_512",
      "ED25519_PH_SHA_512",
    ]);
  });

  it("offers KEY_AGREEMENT on the NIST curves only, as AWS does", () => {
    const agreeing = Object.keys(KEY_SPECS).filter((s) =>
      specRow(s as keyof typeof KEY_SPECS).usages.includes("KEY_AGREEMENT"),
    );
    expect(agreeing).toEqual(["EC_P256", "EC_P384", "EC_P521"]);
  });

  it("HMAC keys are as long as their hash's output (AWS: 28, 32, 48, 64 bytes)", () => {
    const bytes = Object.fromEntries(
      (["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"] as const).map((s) => [s, KEY_SPECS[s].generate]),
    );
    expect(bytes).toEqual({
      HMAC_224: { kind: "random", bytes: 28 },
      HMAC_256: { kind: "random", bytes: 32 },
      HMAC_384: { kind: "random", bytes: 48 },
      HMAC_512: { kind: "random", bytes: 64 },
    });
  });

  it("every usage a spec allows exists, and every algorithm it names is in its table", () => {
    for (const spec of Object.keys(KEY_SPECS) as (keyof typeof KEY_SPECS)[]) {
      const row = specRow(spec);
      expect(row.usages.length).toBeGreaterThan(0);
      for (const u of row.usages) expect(Object.hasOwn(KEY_USAGES, u)).toBe(true);
      for (const a of row.encryption) expect(Object.hasOwn(ENCRYPTION_ALGORITHMS, a)).toBe(true);
      for (const a of row.signing) expect(Object.hasOwn(SIGNING_ALGORITHMS, a)).toBe(true);
      for (const a of row.mac) expect(Object.hasOwn(MAC_ALGORITHMS, a)).toBe(true);
      for (const a of row.agreement) expect(Object.hasOwn(KEY_AGREEMENT_ALGORITHMS, a)).toBe(true);
      if (row.agreement.length > 0) expect(row.usages).toContain("KEY_AGREEMENT");
      if (row.defaultEncryption) expect(row.encryption).toContain(row.defaultEncryption);
    }
  });
});
