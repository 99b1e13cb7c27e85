import { execFile, spawn } from "node:child_process";
import { constants } from "node:fs";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { KmsError } from "../domain/errors.js";

/** What OpenSSL's `pkeyutl` needs to sign or verify a precomputed digest. */
export interface PrehashParams {
  hash: "sha256" | "sha384" | "sha512";
  /** `PSS`: RSASSA-PSS with MGF1 over `hash` and a salt as long as the digest. `ECDSA`: DER signature. */
  scheme: "PSS" | "ECDSA";
  digest: Buffer;
}

const TIMEOUT_MS = 10_000;
const run = promisify(execFile);

function pkeyOptions(p: PrehashParams): string[] {
  const opts = ["-pkeyopt", `digest:${p.hash}`];
  if (p.scheme === "PSS") {
    opts.push("-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest");
    opts.push("-pkeyopt", `rsa_mgf1_md:${p.hash}`);
  }
  return opts;
}

/** Runs `fn` in a fresh private (0700) directory that is removed afterwards, whatever happens. */
async function inPrivateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "kms-prehash-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function pkeyutl(args: string[]): Promise<{ code: number | null; out: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", ["pkeyutl", ...args], { stdio: ["ignore", "pipe", "ignore"], timeout: TIMEOUT_MS });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.once("error", () => reject(new KmsError("Internal", "The signing tool could not run.")));
    child.once("close", (code) => resolve({ code, out: Buffer.concat(chunks) }));
  });
}

/**
 * RSASSA-PSS and ECDSA over a digest the caller already computed (`MessageType: DIGEST`).
 *
 * Node 20's `crypto.sign` always hashes its input (nodejs/node#60263 proposes a prehash API), and
 * this service never writes padding schemes or curve arithmetic itself. OpenSSL's `pkeyutl`
 * signs a prehashed digest (`EVP_PKEY_sign`), so these two rare combinations go to OpenSSL as a
 * short-lived process. The private key never touches a disk: it is written into a FIFO (mode
 * 0600, in a 0700 directory) that `pkeyutl` reads; only the digest is a regular file.
 */
export async function signPrehashed(privateKeyDer: Buffer, p: PrehashParams): Promise<Buffer> {
  return inPrivateDir(async (dir) => {
    const keyPipe = join(dir, "key");
    const digestFile = join(dir, "digest");
    await run("mkfifo", ["-m", "600", keyPipe]);
    await writeFile(digestFile, p.digest, { mode: 0o600 });
    const signing = pkeyutl(["-sign", "-inkey", keyPipe, "-keyform", "DER", "-in", digestFile, ...pkeyOptions(p)]);
    const writing = writeFile(keyPipe, privateKeyDer).catch(() => {});
    const { code, out } = await signing;
    // If pkeyutl exited without opening the FIFO, the writer is still blocked in open(2): open the
    // read end once (non-blocking) to release it, then discard whatever it wrote.
    const release = await open(keyPipe, constants.O_RDONLY | constants.O_NONBLOCK);
    await release.close();
    await writing;
    if (code !== 0 || out.length === 0) throw new KmsError("Internal", "The digest could not be signed.");
    return out;
  });
}

/** Verifies a signature over a precomputed digest; false for any wrong or malformed signature. */
export async function verifyPrehashed(publicKeyDer: Buffer, signature: Buffer, p: PrehashParams): Promise<boolean> {
  return inPrivateDir(async (dir) => {
    const files = { key: join(dir, "key"), sig: join(dir, "sig"), digest: join(dir, "digest") };
    await Promise.all([
      writeFile(files.key, publicKeyDer),
      writeFile(files.sig, signature),
      writeFile(files.digest, p.digest),
    ]);
    const args = [
      "-verify",
      "-pubin",
      "-inkey",
      files.key,
      "-keyform",
      "DER",
      "-sigfile",
      files.sig,
      "-in",
      files.digest,
    ];
    const { code, out } = await pkeyutl([...args, ...pkeyOptions(p)]);
    return code === 0 && out.toString("utf8").includes("Signature Verified Successfully");
  });
}
