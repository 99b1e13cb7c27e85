/**
 * ClientKey ids as Alibaba Cloud spells them, `KAAP.<uuid>`: made by `kms client-key create`,
 * sent by the dkms-gcs SDKs in `x-kms-acccesskeyid`. Kept apart from `client-keys.ts` so that the
 * request path checks an id's shape without loading the certificate machinery.
 */
const KEY_ID = /^KAAP\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A ClientKey id from a fresh UUID. */
export function clientKeyId(uuid: string): string {
  return `KAAP.${uuid}`;
}

/** Whether a string has the shape of a ClientKey id (checked before any lookup). */
export function isClientKeyId(value: string): boolean {
  return KEY_ID.test(value);
}
