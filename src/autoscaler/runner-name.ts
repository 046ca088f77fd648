/**
 * Runner names: `<scale-set>-<random>`.
 * @module
 */
import { randomBytes } from "node:crypto";

/**
 * A fresh runner name for a scale set: the scale set name, a dash and 8 random hex characters.
 * The service limits runner names to 64 characters, so long scale set names are cut.
 */
export function runnerName(scaleSetName: string): string {
  const suffix = randomBytes(4).toString("hex");
  return `${scaleSetName.slice(0, 64 - suffix.length - 1)}-${suffix}`;
}
