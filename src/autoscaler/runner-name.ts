/**
 * Runner names: `<scale-set>-<random>`.
 * @module
 */
import { randomBytes } from "node:crypto";

// Random bytes drawn 4 KiB at a time: one `randomBytes(4)` per name made naming a 5000-runner
// burst take 20–50 ms before its first start.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function randomHex8(): string {
  if (offset + 4 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + 4);
  offset += 4;
  return hex;
}

/**
 * A fresh runner name for a scale set: the scale set name, a dash and 8 random hex characters.
 * The service limits runner names to 64 characters, so long scale set names are cut.
 */
export function runnerName(scaleSetName: string): string {
  const suffix = randomHex8();
  return `${scaleSetName.slice(0, 64 - suffix.length - 1)}-${suffix}`;
}
