import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { CreateKeyRequestSchema, ListKeysResponseSchema } from "../../../gen/kms/v1/key_service_pb.js";
import { KeySpec } from "../../../gen/kms/v1/types_pb.js";
import { checkBinaryMessage, checkJsonMessage } from "../../../src/api/request-check.js";
import { KmsError } from "../../../src/domain/errors.js";

/** The KmsError code and message a check threw, or "passed". */
function outcome(check: () => void): { code: string; message: string } | "passed" {
  try {
    check();
    return "passed";
  } catch (err) {
    if (!(err instanceof KmsError)) throw err;
    return { code: err.code, message: err.message };
  }
}

const listing = create(ListKeysResponseSchema, {
  keys: [{ keyId: "k1", tags: { team: "a" }, createTime: timestampFromDate(new Date(0)) }],
});

/** A map entry (key 1, value 2 as strings) in field `field`, written by hand. */
function mapEntry(field: number, key: string, value: string): Uint8Array {
  const entry = new BinaryWriter().tag(1, WireType.LengthDelimited).string(key);
  entry.tag(2, WireType.LengthDelimited).string(value);
  return new BinaryWriter().tag(field, WireType.LengthDelimited).bytes(entry.finish()).finish();
}

describe("checkBinaryMessage", () => {
  it("passes well-formed messages, nested messages, maps and well-known types included", () => {
    const req = create(CreateKeyRequestSchema, { keySpec: KeySpec.EC_P256, description: "d", tags: { a: "b" } });
    expect(outcome(() => checkBinaryMessage(CreateKeyRequestSchema, toBinary(CreateKeyRequestSchema, req)))).toBe(
      "passed",
    );
    expect(outcome(() => checkBinaryMessage(ListKeysResponseSchema, toBinary(ListKeysResponseSchema, listing)))).toBe(
      "passed",
    );
    expect(outcome(() => checkBinaryMessage(CreateKeyRequestSchema, new Uint8Array()))).toBe("passed");
  });

  it("refuses unknown field numbers, wrong wire types, bad UTF-8 and truncation as InvalidArgument", () => {
    const bad: Record<string, number[]> = {
      "unknown field 9": [0x48, 0x01],
      "description as varint": [0x18, 0x01],
      "key_spec as bytes": [0x0a, 0x00],
      "description not UTF-8": [0x1a, 0x01, 0xff],
      "length past the end": [0x1a, 0x05, 0x61],
      "overlong varint": [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      "wire type 7": [0x0f],
    };
    for (const [name, bytes] of Object.entries(bad)) {
      const got = outcome(() => checkBinaryMessage(CreateKeyRequestSchema, Uint8Array.from(bytes)));
      expect({ name, code: got === "passed" ? got : got.code }).toEqual({ name, code: "InvalidArgument" });
    }
  });

  it("refuses a __proto__ map key, also inside a nested message, and names the field", () => {
    const top = outcome(() => checkBinaryMessage(CreateKeyRequestSchema, mapEntry(4, "__proto__", "x")));
    expect(top).toEqual({ code: "InvalidArgument", message: expect.stringContaining("tags") });
    expect(outcome(() => checkBinaryMessage(CreateKeyRequestSchema, mapEntry(4, "__proto_", "x")))).toBe("passed");
    const metadata = toBinary(ListKeysResponseSchema, create(ListKeysResponseSchema, { keys: [{ keyId: "k1" }] }));
    const nested = (key: string) => {
      const inner = Buffer.concat([metadata.subarray(2), mapEntry(14, key, "x")]);
      return new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(inner).finish();
    };
    expect(outcome(() => checkBinaryMessage(ListKeysResponseSchema, nested("__proto_")))).toBe("passed");
    expect(outcome(() => checkBinaryMessage(ListKeysResponseSchema, nested("__proto__")))).toEqual({
      code: "InvalidArgument",
      message: expect.stringContaining("tags"),
    });
  });
});

describe("checkJsonMessage", () => {
  const json = (text: string) => outcome(() => checkJsonMessage(CreateKeyRequestSchema, Buffer.from(text)));

  it("passes JSON and proto field names, full enum names, enum numbers and well-known types", () => {
    expect(json('{"keySpec":"KEY_SPEC_EC_P256","key_usage":"KEY_USAGE_SIGN_VERIFY","tags":{"a":"b"}}')).toBe("passed");
    expect(json('{"keySpec":5,"description":null}')).toBe("passed");
    const text = toJsonString(ListKeysResponseSchema, listing);
    expect(outcome(() => checkJsonMessage(ListKeysResponseSchema, Buffer.from(text)))).toBe("passed");
  });

  it("refuses unknown fields, unknown enum names and __proto__ keys, naming the field", () => {
    expect(json('{"keySpec":"RSA_4096"}')).toEqual({
      code: "InvalidArgument",
      message: expect.stringContaining("key_spec"),
    });
    expect(json('{"descripton":"x"}')).toEqual({
      code: "InvalidArgument",
      message: expect.stringContaining("descripton"),
    });
    expect(json('{"tags":{"__proto__":"x"}}')).toEqual({
      code: "InvalidArgument",
      message: expect.stringContaining("tags"),
    });
    const nested = '{"keys":[{"keyId":"k","bogus":1}]}';
    expect(outcome(() => checkJsonMessage(ListKeysResponseSchema, Buffer.from(nested)))).toMatchObject({
      code: "InvalidArgument",
    });
  });

  it("refuses bodies that are not UTF-8 JSON or do not fit the proto3 JSON mapping", () => {
    for (const text of ["nope", '{"description":', "[]", '{"description":5}', '{"tags":[]}', '{"a":1,"a":2}']) {
      const got = json(text);
      expect({ text, code: got === "passed" ? got : got.code }).toEqual({ text, code: "InvalidArgument" });
    }
    const notUtf8 = outcome(() => checkJsonMessage(CreateKeyRequestSchema, Uint8Array.from([0x7b, 0xff, 0x7d])));
    expect(notUtf8).toMatchObject({ code: "InvalidArgument" });
  });
});
