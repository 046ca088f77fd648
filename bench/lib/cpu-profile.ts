/**
 * Where a V8 CPU profile (`node --cpu-prof`) spends its time: self time by source (npm package,
 * Node internal module, this repository's file, or a V8 pseudo-frame such as the garbage
 * collector) and by function, with idle time left out.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in µs, by key, largest first. */
export type Breakdown = [name: string, us: number][];

/** A profile's busy time and where it went. */
export interface ProfileSummary {
  busyUs: number;
  bySource: Breakdown;
  byFunction: Breakdown;
  /** Share of busy time in this repository's `src/`, in Node internals and in npm packages. */
  shares: { src: number; node: number; npm: number };
}

function sourceOf(frame: CallFrame): string {
  if (frame.url === "") return `(${frame.functionName.replace(/^\(|\)$/g, "") || "native"})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return `npm:${pkg[1]}`;
  if (frame.url.startsWith("node:")) return frame.url;
  const ours = /\/(?:bench\/out\/js\/)?(src|bench)\/(.*)$/.exec(frame.url);
  return ours ? `${ours[1]}/${ours[2]}` : frame.url;
}

/** Reads and summarises a `.cpuprofile` file. */
export function summarizeCpuProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!frame) return;
    const source = sourceOf(frame);
    if (source === "(idle)") return;
    const fn = `${frame.functionName || "(anonymous)"} ${source}:${frame.lineNumber + 1}`;
    bySource.set(source, (bySource.get(source) ?? 0) + dt);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  const sorted = (m: Map<string, number>): Breakdown => [...m].sort((a, b) => b[1] - a[1]);
  const busyUs = [...bySource.values()].reduce((a, b) => a + b, 0);
  const share = (prefix: string) =>
    [...bySource].filter(([k]) => k.startsWith(prefix)).reduce((n, [, us]) => n + us, 0) /
    Math.max(1, busyUs);
  return {
    busyUs,
    bySource: sorted(bySource),
    byFunction: sorted(byFunction),
    shares: { src: share("src/"), node: share("node:"), npm: share("npm:") },
  };
}

/** `name 12.3 %` for the `top` largest entries. */
export function shareLine(summary: ProfileSummary, breakdown: Breakdown, top: number): string {
  return breakdown
    .slice(0, top)
    .map(([name, us]) => `${name} ${((100 * us) / summary.busyUs).toFixed(1)} %`)
    .join(", ");
}
