import { readFileSync } from "node:fs";
import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ErrorSchema } from "../../../gen/dkms_gcs/api_pb.js";
import { DKMS_ERROR_WIRE, DkmsProtocolError, dkmsErrorOf, errorBody } from "../../../src/alibaba/errors.js";
import { INTERNAL_MESSAGE, KMS_CODES, KmsError } from "../../../src/domain/errors.js";

const DOC = readFileSync(new URL("../../../docs/alibaba-compatibility.md", import.meta.url), "utf8");

/** The rows of the doc's error table: status and ErrorCode. */
const documented = new Set([...DOC.matchAll(/^\| (\d{3}) \| `([A-Za-z.]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`));

describe("Alibaba KMS-instance error wire", () => {
  it("maps every core code, and documents every status and ErrorCode it can answer", () => {
    expect(Object.keys(DKMS_ERROR_WIRE).sort()).toEqual([...KMS_CODES].sort());
    for (const code of KMS_CODES) {
      const wire = dkmsErrorOf(new KmsError(code, "m"));
      expect(documented, `${code} → ${wire.status} ${wire.code}`).toContain(`${wire.status} ${wire.code}`);
    }
    for (const code of [
      "InvalidApiName",
      "InvalidApiVersion",
      "MissingParameter",
      "RequestTimeTooSkewed",
      "InvalidContentType",
      "RequestEntityTooLarge",
    ] as const) {
      const wire = dkmsErrorOf(new DkmsProtocolError(code, "m"));
      expect(documented, code).toContain(`${wire.status} ${wire.code}`);
    }
  });

  it("spells the seed's codes with the statuses the protocol uses", () => {
    const of = (code: (typeof KMS_CODES)[number]) => {
      const w = dkmsErrorOf(new KmsError(code, "m"));
      return `${w.status} ${w.code}`;
    };
    expect(of("Throttled")).toBe("429 Rejected.Throttling");
    expect(of("NotFound")).toBe("404 Forbidden.KeyNotFound");
    expect(of("AccessDenied")).toBe("403 Forbidden.NoPermission");
    expect(of("Disabled")).toBe("409 Rejected.Disabled");
    expect(of("InvalidState")).toBe("409 Rejected.PendingDeletion");
    expect(of("SignatureMismatch")).toBe("401 SignatureNotMatch");
    expect(of("DependencyTimeout")).toBe("503 ServiceUnavailableTemporary");
    expect(of("InvalidCiphertext")).toBe("400 InvalidParam");
  });

  it("turns anything unexpected into 500 InternalFailure with the fixed message, hiding the cause", () => {
    const wire = dkmsErrorOf(new Error("driver exploded near secret-row-value"));
    expect(wire).toEqual({ status: 500, code: "InternalFailure", message: INTERNAL_MESSAGE });
    const body = fromBinary(ErrorSchema, errorBody(wire, "req-1"));
    expect({ ...body, $typeName: undefined }).toEqual({
      $typeName: undefined,
      StatusCode: 500,
      ErrorCode: "InternalFailure",
      ErrorMessage: INTERNAL_MESSAGE,
      RequestId: "req-1",
    });
  });
});
