import {
  type DescField,
  type DescMessage,
  fromBinary,
  fromJsonString,
  type MessageShape,
  ScalarType,
} from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { KmsError } from "../domain/errors.js";

/**
 * Strict decoding of a request message before connect-node sees it. connect-node ignores unknown
 * JSON fields and enum names by default and answers any binary decoding failure with `internal`;
 * a key manager must refuse what it does not understand, and a malformed body is the caller's
 * fault. So every request message is checked here first and refused with `InvalidArgument`:
 *
 * - binary: truncated or malformed wire data, an unknown field number, a wire type that does not
 *   fit its field, a string that is not UTF-8 (the protobuf encoding spec requires UTF-8);
 * - JSON: text that is not UTF-8 or not JSON, an unknown field name, an unknown enum name, a
 *   value the proto3 JSON mapping does not accept;
 * - both: a map key `__proto__`. protobuf-es decodes maps into plain objects, where that key
 *   vanishes before any code sees it (bufbuild/protobuf-es#1451); an encryption context entry
 *   that silently disappears would not be bound into the ciphertext, so it is refused instead.
 *
 * Messages name the field (never its value: a value may be plaintext or a context value).
 * Returns the decoded message, so a stack that can take it (grpc-js) does not decode twice.
 */
export function checkBinaryMessage<Desc extends DescMessage>(desc: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    walkBinary(desc, bytes, 0);
    return fromBinary(desc, bytes, { readUnknownFields: false });
  } catch (err) {
    if (err instanceof KmsError) throw err;
    throw invalid(`The request is not a well-formed ${desc.typeName} message.`);
  }
}

/** The JSON counterpart of {@link checkBinaryMessage}. */
export function checkJsonMessage(desc: DescMessage, bytes: Uint8Array): void {
  let text: string;
  let value: unknown;
  try {
    text = STRICT_UTF8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw invalid("The request body is not UTF-8 JSON.");
  }
  walkJson(desc, value, 0);
  try {
    fromJsonString(desc, text, { ignoreUnknownFields: false });
  } catch {
    throw invalid(`The request body is not a valid ${desc.typeName} in the proto3 JSON mapping.`);
  }
}

type MapField = Extract<DescField, { fieldKind: "map" }>;

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });
const MAX_DEPTH = 32;
const FORBIDDEN_MAP_KEY = "__proto__";

function invalid(message: string): KmsError {
  return new KmsError("InvalidArgument", message);
}

function forbiddenKey(field: DescField): KmsError {
  return invalid(`${field.name} must not use the key ${FORBIDDEN_MAP_KEY}.`);
}

function walkBinary(desc: DescMessage, bytes: Uint8Array, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid("The request nests messages too deeply.");
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = desc.fields.find((f) => f.number === number);
    if (field === undefined) throw invalid(`${desc.typeName} has no field number ${number}.`);
    if (!wireTypeFits(field, wireType)) throw invalid(`${field.name} has the wrong wire type.`);
    if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) {
      walkBinary(field.message, reader.bytes(), depth + 1);
    } else if (field.fieldKind === "map") {
      walkMapEntry(field, reader.bytes(), depth);
    } else {
      reader.skip(wireType);
    }
  }
}

function walkMapEntry(field: MapField, bytes: Uint8Array, depth: number): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const expected = number === 1 ? scalarWireType(field.mapKey) : valueWireType(field);
    if ((number !== 1 && number !== 2) || wireType !== expected) {
      throw invalid(`${field.name} has a malformed map entry.`);
    }
    if (number === 1 && field.mapKey === ScalarType.STRING) {
      if (reader.string() === FORBIDDEN_MAP_KEY) throw forbiddenKey(field);
    } else if (number === 2 && field.mapKind === "message") {
      walkBinary(field.message, reader.bytes(), depth + 1);
    } else {
      reader.skip(wireType);
    }
  }
}

function valueWireType(field: MapField): WireType {
  if (field.mapKind === "scalar") return scalarWireType(field.scalar);
  return field.mapKind === "enum" ? WireType.Varint : WireType.LengthDelimited;
}

function wireTypeFits(field: DescField, wireType: WireType): boolean {
  switch (field.fieldKind) {
    case "scalar":
      return wireType === scalarWireType(field.scalar);
    case "enum":
      return wireType === WireType.Varint;
    case "list":
      if (field.listKind === "message") return wireType === WireType.LengthDelimited;
      // Repeated numbers may come packed (one length-delimited run) or one by one.
      return (
        wireType === WireType.LengthDelimited ||
        wireType === (field.listKind === "enum" ? WireType.Varint : scalarWireType(field.scalar))
      );
    default:
      return wireType === WireType.LengthDelimited;
  }
}

/** The wire type of a scalar (https://protobuf.dev/programming-guides/encoding/#structure). */
function scalarWireType(type: ScalarType): WireType {
  switch (type) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks field names, enum names and map keys against the descriptor; value syntax is left to
 * protobuf-es's own JSON reader, which runs next. Well-known types have JSON forms of their own
 * (a Timestamp is a string) and are not walked.
 */
function walkJson(desc: DescMessage, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid("The request nests messages too deeply.");
  if (!isObject(value) || desc.typeName.startsWith("google.protobuf.")) return;
  for (const [key, member] of Object.entries(value)) {
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined) throw invalid(`${desc.typeName} has no field ${JSON.stringify(key.slice(0, 64))}.`);
    if (member === null) continue;
    switch (field.fieldKind) {
      case "enum":
        checkEnumName(field, field.enum.values, member);
        break;
      case "message":
        walkJson(field.message, member, depth + 1);
        break;
      case "list":
        if (!Array.isArray(member)) break;
        for (const item of member) {
          if (field.listKind === "enum") checkEnumName(field, field.enum.values, item);
          if (field.listKind === "message") walkJson(field.message, item, depth + 1);
        }
        break;
      case "map":
        if (!isObject(member)) break;
        for (const [mapKey, item] of Object.entries(member)) {
          if (mapKey === FORBIDDEN_MAP_KEY) throw forbiddenKey(field);
          if (field.mapKind === "enum") checkEnumName(field, field.enum.values, item);
          if (field.mapKind === "message") walkJson(field.message, item, depth + 1);
        }
        break;
    }
  }
}

function checkEnumName(field: DescField, values: readonly { name: string }[], value: unknown): void {
  if (typeof value === "string" && !values.some((v) => v.name === value)) {
    throw invalid(`${field.name} has an unknown enum value.`);
  }
}
