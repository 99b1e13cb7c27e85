import { EventEmitter } from "node:events";
import type http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { watchCompressedFlag } from "../../../src/grpc/framing.js";

/** A gRPC length-prefixed frame: flag byte, 4-byte big-endian length, message. */
function frame(message: Buffer, flag = 0): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** Feeds `bytes` to a fresh watcher in chunks of `size` bytes and returns its verdict. */
function flaggedAfter(bytes: Buffer, size: number): boolean {
  const stream = new EventEmitter();
  const flagged = watchCompressedFlag(stream as unknown as http2.ServerHttp2Stream);
  for (let at = 0; at < bytes.length; at += size) stream.emit("data", bytes.subarray(at, at + size));
  return flagged();
}

describe("watchCompressedFlag", () => {
  // Message bytes of 0x01 would read as a set flag if the watcher lost its place in the frames.
  const plain = Buffer.concat([frame(Buffer.alloc(7, 1)), frame(Buffer.alloc(0)), frame(Buffer.alloc(300, 1))]);
  const compressedLast = Buffer.concat([plain, frame(Buffer.alloc(3, 0), 1)]);

  it.each([1, 2, 3, 5, 6, 7, 64, 4096])("finds no flag in uncompressed frames read %i bytes at a time", (size) => {
    expect(flaggedAfter(plain, size)).toBe(false);
  });

  it.each([1, 2, 3, 5, 6, 7, 64, 4096])("finds the flag of the last frame read %i bytes at a time", (size) => {
    expect(flaggedAfter(compressedLast, size)).toBe(true);
  });
});
