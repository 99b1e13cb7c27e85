/**
 * The service words validation errors as AWS KMS does (`Value 'x' at 'aliasName' failed to satisfy
 * constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`), which is
 * right for SDKs and wrong for a person. The console keys on the field name the message quotes
 * and says what to type instead; a message without a known field is shown as the service wrote
 * it, minus any regular expression.
 */
const FIELD_HINTS: Record<string, string> = {
  aliasName:
    "an alias name is alias/ followed by letters, digits, /, _ or - (at most 256 characters in all), and may not start with alias/aws/.",
  description: "a description is at most 8192 characters.",
  pendingWindowDays: "the waiting period before deletion is a whole number of days from 7 to 30.",
  rotationPeriodInDays: "the rotation period is a whole number of days from 90 to 2560.",
  rotationPeriodDays: "the rotation period is a whole number of days from 90 to 2560.",
  tags: "a tag key is 1 to 128 characters and its value at most 256; a key has at most 50 tags.",
  tagKey: "a tag key is 1 to 128 characters.",
  tagValue: "a tag value is at most 256 characters.",
  encryptionContext: "the encryption context has at most 64 name=value pairs, names not empty, 8 KiB in all.",
  plaintext: "the text to encrypt is 1 to 4096 bytes.",
  granteePrincipal: "name the principal the grant is for (1 to 256 characters).",
  operations: "choose at least one operation for the grant.",
  name: "a name is 1 to 128 characters of letters, digits and . _ @ + = , -",
  keyUsage: "this key type does not allow that usage; choose one the form offers.",
  operation: "an operation is a method name like Encrypt, or service/method like kms.v1.KeyService/CreateKey.",
  endTime: "the end of the time range must come after its start.",
};

export function validationHint(message: string): string {
  const field = /\bat '([A-Za-z.]+)'/.exec(message)?.[1]?.split(".").pop();
  const hint = field === undefined ? undefined : FIELD_HINTS[field];
  if (hint) return hint;
  return message.replace(/:?\s*(Member must )?satisfy regular expression pattern:?\s*\S+/g, "").trim();
}
