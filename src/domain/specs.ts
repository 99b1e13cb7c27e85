import type {
  EncapsulationAlgorithm,
  EncryptionAlgorithm,
  KeyAgreementAlgorithm,
  KeyUsage,
  MacAlgorithm,
  SigningAlgorithm,
  WireNames,
} from "./algorithms.js";
import { ENCRYPTION_ALGORITHMS, SIGNING_ALGORITHMS } from "./algorithms.js";

/**
 * The key-spec catalogue: one row per key spec, and the only place a spec, its algorithms and its
 * wire names are written out. Validation and its messages, the Connect and AWS enum mappings,
 * DescribeKey's and GetPublicKey's algorithm lists, key generation, the CLI's choices and the
 * console's dropdowns all derive from these rows. Adding a spec is a row here, a generator in
 * `src/crypto/key-material.ts` or `src/crypto/key-pairs.ts` when its family is new, and tests.
 */

/** How a spec's key material is made (`src/crypto/key-material.ts`, `src/crypto/key-pairs.ts`). */
export type Generation =
  /** Random bytes: AES-256 input keying material, or an HMAC key as long as its hash (RFC 2104 §3). */
  | { kind: "random"; bytes: number }
  /** An RSA pair of this modulus, public exponent 65537 (RFC 8017 §3.1). */
  | { kind: "rsa"; modulusBits: number }
  /** An EC pair on this curve (OpenSSL's name). */
  | { kind: "ec"; namedCurve: string }
  /** An Ed25519 pair (RFC 8032 §5.1.5). */
  | { kind: "ed25519" }
  /**
   * A post-quantum pair of this Node.js key type (ML-DSA, FIPS 204; ML-KEM, FIPS 203): only on a
   * runtime whose OpenSSL has it (Node.js >= 24.7, OpenSSL 3.5), see `src/crypto/post-quantum.ts`.
   */
  | { kind: "post-quantum"; keyType: PostQuantumKeyType };

/** Node.js's names of the post-quantum key types (`crypto.generateKeyPairSync(type)`). */
export type PostQuantumKeyType = "ml-dsa-44" | "ml-dsa-65" | "ml-dsa-87" | "ml-kem-512" | "ml-kem-768" | "ml-kem-1024";

/** One key spec. */
export interface KeySpecRow extends Required<WireNames> {
  /**
   * AES and HMAC keys are symmetric; RSA, EC (NIST and SECG curves), EdDSA, ML-DSA (FIPS 204) and
   * ML-KEM (FIPS 203) keys asymmetric.
   */
  family: "AES" | "RSA" | "EC" | "EdDSA" | "HMAC" | "ML_DSA" | "ML_KEM";
  /** The label the console shows, as the AWS console spells it. */
  label: string;
  /** The usages the spec allows; the first is the default when a caller names none. */
  usages: readonly KeyUsage[];
  /** Encryption algorithms of an ENCRYPT_DECRYPT key, in AWS's order. */
  encryption: readonly EncryptionAlgorithm[];
  /** The algorithm an RSA encryption uses when the caller names none. */
  defaultEncryption?: EncryptionAlgorithm;
  /** Signing algorithms of a SIGN_VERIFY key, in AWS's order; the first is the default. */
  signing: readonly SigningAlgorithm[];
  /** MAC algorithms of a GENERATE_VERIFY_MAC key. */
  mac: readonly MacAlgorithm[];
  /** Key encapsulation of an ENCAPSULATE_DECAPSULATE key, and its ciphertext's length in bytes. */
  encapsulation?: { algorithms: readonly EncapsulationAlgorithm[]; ciphertextBytes: number };
  /** Key agreement algorithms of a KEY_AGREEMENT key. */
  agreement: readonly KeyAgreementAlgorithm[];
  /**
   * False for the specs AWS's deprecated `CustomerMasterKeySpec` enum never gained (it stopped
   * growing before Ed25519): the AWS endpoint then writes only `KeySpec`.
   */
  legacyAwsName?: false;
  /** Whether new versions can be made (RotateKey, automatic rotation). */
  rotatable: boolean;
  /** For specs that are also data-key-pair specs: the `kms.v1.KeyPairSpec` value and the AWS `DataKeyPairSpec`. */
  pair?: Required<WireNames>;
  /**
   * Ready pairs the key-pair pool keeps of this spec when `KMS_KEYPAIR_POOL` is unset
   * (`src/config-keypair-pool.ts`): a few of the slow RSA sizes, more of the cheap curves; a pair
   * spec without it is not pooled by default.
   */
  poolDefault?: number;
  generate: Generation;
}

const SYMMETRIC: readonly EncryptionAlgorithm[] = ["SYMMETRIC_DEFAULT"];
const RSA_OAEP: readonly EncryptionAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
const RSASSA = (Object.keys(SIGNING_ALGORITHMS) as SigningAlgorithm[]).filter((a) =>
  ["PSS", "PKCS1"].includes(SIGNING_ALGORITHMS[a].padding),
);

type PairRow = KeySpecRow & { pair: Required<WireNames> };

const rsa = (bits: number, proto: number, pairProto: number, poolDefault: number): PairRow => ({
  proto,
  aws: `RSA_${bits}`,
  family: "RSA",
  label: `RSA ${bits}`,
  usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  encryption: RSA_OAEP,
  defaultEncryption: "RSAES_OAEP_SHA_256",
  signing: RSASSA,
  mac: [],
  agreement: [],
  rotatable: false,
  pair: { proto: pairProto, aws: `RSA_${bits}` },
  poolDefault,
  generate: { kind: "rsa", modulusBits: bits },
});

/**
 * An EC spec: ECDSA with the one hash AWS pairs with the curve (FIPS 186-5 §6.4 asks for a hash
 * at least as strong as the curve), and ECDH for the NIST curves (AWS offers KEY_AGREEMENT on
 * those, not on secp256k1).
 */
const ec = (
  p: { proto: number; aws: string; label: string; namedCurve: string; pairProto: number; poolDefault?: number },
  ecdsa: SigningAlgorithm,
  agreement: readonly KeyAgreementAlgorithm[],
): PairRow => ({
  proto: p.proto,
  aws: p.aws,
  family: "EC",
  label: p.label,
  usages: agreement.length > 0 ? ["SIGN_VERIFY", "KEY_AGREEMENT"] : ["SIGN_VERIFY"],
  encryption: [],
  signing: [ecdsa],
  mac: [],
  agreement,
  rotatable: false,
  pair: { proto: p.pairProto, aws: p.aws },
  ...(p.poolDefault === undefined ? {} : { poolDefault: p.poolDefault }),
  generate: { kind: "ec", namedCurve: p.namedCurve },
});

/** An HMAC spec: a random key as long as its hash's output (RFC 2104 §3), and that one MAC. */
const hmac = (proto: number, bits: number, mac: MacAlgorithm): KeySpecRow => ({
  proto,
  aws: `HMAC_${bits}`,
  family: "HMAC",
  label: `HMAC ${bits}`,
  usages: ["GENERATE_VERIFY_MAC"],
  encryption: [],
  signing: [],
  mac: [mac],
  agreement: [],
  rotatable: false,
  generate: { kind: "random", bytes: bits / 8 },
});

/**
 * An ML-DSA key (FIPS 204) at security category 2, 3 or 5: signs with ML_DSA_SHAKE_256 (pure
 * ML-DSA, empty context, as AWS KMS). AWS has no ML-DSA data key pairs.
 */
const mlDsa = (level: 44 | 65 | 87, proto: number): KeySpecRow => ({
  proto,
  aws: `ML_DSA_${level}`,
  family: "ML_DSA",
  label: `ML-DSA-${level}`,
  usages: ["SIGN_VERIFY"],
  encryption: [],
  signing: ["ML_DSA_SHAKE_256"],
  mac: [],
  agreement: [],
  legacyAwsName: false,
  rotatable: false,
  generate: { kind: "post-quantum", keyType: `ml-dsa-${level}` },
});

/**
 * An ML-KEM key (FIPS 203): its ciphertext is 768, 1088 or 1568 bytes (FIPS 203 Table 3), the
 * shared secret always 32. AWS lists ML-KEM data key pairs under the same names.
 */
const mlKem = (level: 512 | 768 | 1024, proto: number, ciphertextBytes: number): PairRow => ({
  proto,
  aws: `ML_KEM_${level}`,
  family: "ML_KEM",
  label: `ML-KEM-${level}`,
  usages: ["ENCAPSULATE_DECAPSULATE"],
  encryption: [],
  signing: [],
  mac: [],
  agreement: [],
  encapsulation: { algorithms: ["ML_KEM"], ciphertextBytes },
  legacyAwsName: false,
  rotatable: false,
  pair: { proto, aws: `ML_KEM_${level}` },
  generate: { kind: "post-quantum", keyType: `ml-kem-${level}` },
});

/**
 * The catalogue. AWS calls AES-256 `SYMMETRIC_DEFAULT`, the curves `ECC_NIST_P256` (NIST P-256,
 * OpenSSL `prime256v1`), `ECC_NIST_P384` (`secp384r1`), `ECC_NIST_P521` (`secp521r1`) and
 * `ECC_SECG_P256K1` (`secp256k1`), and Ed25519 `ECC_NIST_EDWARDS25519`; the other names coincide.
 */
export const KEY_SPECS = {
  AES_256: {
    proto: 1,
    aws: "SYMMETRIC_DEFAULT",
    family: "AES",
    label: "Symmetric (AES-256)",
    usages: ["ENCRYPT_DECRYPT"],
    encryption: SYMMETRIC,
    signing: [],
    mac: [],
    agreement: [],
    rotatable: true,
    generate: { kind: "random", bytes: 32 },
  },
  RSA_2048: rsa(2048, 2, 1, 4),
  RSA_3072: rsa(3072, 3, 2, 2),
  RSA_4096: rsa(4096, 4, 3, 2),
  EC_P256: ec(
    { proto: 5, aws: "ECC_NIST_P256", label: "ECC P-256", namedCurve: "prime256v1", pairProto: 4, poolDefault: 16 },
    "ECDSA_SHA_256",
    ["ECDH"],
  ),
  EC_P256K: ec(
    {
      proto: 6,
      aws: "ECC_SECG_P256K1",
      label: "ECC secp256k1",
      namedCurve: "secp256k1",
      pairProto: 5,
      poolDefault: 16,
    },
    "ECDSA_SHA_256",
    [],
  ),
  HMAC_256: hmac(7, 256, "HMAC_SHA_256"),
  EC_P384: ec(
    { proto: 8, aws: "ECC_NIST_P384", label: "ECC P-384", namedCurve: "secp384r1", pairProto: 6 },
    "ECDSA_SHA_384",
    ["ECDH"],
  ),
  EC_P521: ec(
    { proto: 9, aws: "ECC_NIST_P521", label: "ECC P-521", namedCurve: "secp521r1", pairProto: 7 },
    "ECDSA_SHA_512",
    ["ECDH"],
  ),
  ED25519: {
    proto: 10,
    aws: "ECC_NIST_EDWARDS25519",
    family: "EdDSA",
    label: "Ed25519",
    usages: ["SIGN_VERIFY"],
    encryption: [],
    signing: ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    mac: [],
    agreement: [],
    legacyAwsName: false,
    rotatable: false,
    pair: { proto: 8, aws: "ECC_NIST_EDWARDS25519" },
    generate: { kind: "ed25519" },
  },
  HMAC_224: hmac(11, 224, "HMAC_SHA_224"),
  HMAC_384: hmac(12, 384, "HMAC_SHA_384"),
  HMAC_512: hmac(13, 512, "HMAC_SHA_512"),
  // Post-quantum (Node >= 24.7)
  ML_DSA_44: mlDsa(44, 20),
  ML_DSA_65: mlDsa(65, 21),
  ML_DSA_87: mlDsa(87, 22),
  ML_KEM_512: mlKem(512, 23, 768),
  ML_KEM_768: mlKem(768, 24, 1088),
  ML_KEM_1024: mlKem(1024, 25, 1568),
} as const satisfies Record<string, KeySpecRow>;

/** Cryptographic kind of a KMS key (the proto `KeySpec` without its prefix). */
export type KeySpec = keyof typeof KEY_SPECS;

/** The kind of an asymmetric data key pair: every spec whose row has a `pair`. */
export type KeyPairSpec = {
  [K in KeySpec]: (typeof KEY_SPECS)[K] extends { pair: object } ? K : never;
}[KeySpec];

/** The spec of a key created without one (AWS's default, `SYMMETRIC_DEFAULT`). */
export const DEFAULT_KEY_SPEC: KeySpec = "AES_256";

/** Every key spec, in the catalogue's order. */
export const KEY_SPEC_NAMES = Object.keys(KEY_SPECS) as KeySpec[];

/** A spec's row (typed as the general row, so optional members can be read). */
export function specRow(spec: KeySpec): KeySpecRow {
  return KEY_SPECS[spec];
}

/** The data-key-pair specs and their wire names, derived from the rows with a `pair`. */
export const KEY_PAIR_SPECS = Object.fromEntries(
  KEY_SPEC_NAMES.flatMap((s) => {
    const pair = specRow(s).pair;
    return pair ? [[s, pair]] : [];
  }),
) as Record<KeyPairSpec, Required<WireNames>>;

/** Every data-key-pair spec, in the catalogue's order. */
export const KEY_PAIR_SPEC_NAMES = Object.keys(KEY_PAIR_SPECS) as KeyPairSpec[];

/** The specs that satisfy `test`, in the catalogue's order. */
export function specsWhere(test: (row: KeySpecRow) => boolean): KeySpec[] {
  return KEY_SPEC_NAMES.filter((s) => test(specRow(s)));
}

/** Whether a spec is an asymmetric key pair (it has a public key). */
export function isAsymmetric(spec: KeySpec): boolean {
  return specRow(spec).generate.kind !== "random";
}

/** The specs whose ENCRYPT_DECRYPT keys encrypt with the AEAD (`SYMMETRIC_DEFAULT`). */
export const SYMMETRIC_SPECS = specsWhere((r) => r.encryption.includes("SYMMETRIC_DEFAULT"));

/** The specs whose ENCRYPT_DECRYPT keys encrypt with RSAES-OAEP. */
export const RSA_ENCRYPTION_SPECS = specsWhere((r) => r.encryption.some((a) => "oaep" in ENCRYPTION_ALGORITHMS[a]));

/** The specs that can be rotated. */
export const ROTATABLE_SPECS = specsWhere((r) => r.rotatable);

/** The specs whose keys compute MACs. */
export const MAC_SPECS = specsWhere((r) => r.mac.length > 0);

/**
 * The algorithms a key offers for its usage, as AWS's DescribeKey and GetPublicKey list them: the
 * encryption algorithms of an ENCRYPT_DECRYPT key, the signing algorithms of a SIGN_VERIFY key,
 * the MAC algorithms of a GENERATE_VERIFY_MAC key, the key agreement algorithms of a
 * KEY_AGREEMENT key, the encapsulation algorithms of an ENCAPSULATE_DECAPSULATE key; empty lists
 * otherwise.
 */
export function algorithmsOf(key: { spec: KeySpec; usage: KeyUsage }): {
  encryption: EncryptionAlgorithm[];
  signing: SigningAlgorithm[];
  mac: MacAlgorithm[];
  encapsulation: EncapsulationAlgorithm[];
  agreement: KeyAgreementAlgorithm[];
} {
  const row = specRow(key.spec);
  return {
    encryption: key.usage === "ENCRYPT_DECRYPT" ? [...row.encryption] : [],
    signing: key.usage === "SIGN_VERIFY" ? [...row.signing] : [],
    mac: key.usage === "GENERATE_VERIFY_MAC" ? [...row.mac] : [],
    encapsulation: key.usage === "ENCAPSULATE_DECAPSULATE" ? [...(row.encapsulation?.algorithms ?? [])] : [],
    agreement: key.usage === "KEY_AGREEMENT" ? [...row.agreement] : [],
  };
}
