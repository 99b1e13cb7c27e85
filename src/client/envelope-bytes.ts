/**
 * A FIFO of byte chunks that hands out exact-length slices, so the envelope streams can cut
 * input into fixed-size chunks without concatenating everything they have been given (which
 * would be quadratic and would hold more than one chunk in memory).
 */
export class ByteQueue {
  private parts: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.size += chunk.length;
  }

  /** Removes and returns the first `n` bytes (`n` ≤ `length`). */
  take(n: number): Buffer {
    if (n > this.size) throw new RangeError("ByteQueue.take past the end");
    const first = this.parts[0];
    if (first !== undefined && first.length === n) {
      this.parts.shift();
      this.size -= n;
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.parts[0]!;
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.parts.shift();
      else this.parts[0] = head.subarray(used);
    }
    this.size -= n;
    return out;
  }

  /** Removes and returns everything. */
  takeAll(): Buffer {
    return this.take(this.size);
  }
}
