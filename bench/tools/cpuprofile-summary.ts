/**
 * Where a V8 CPU profile spends its time: self time by function and by source (package, Node
 * internal module or our file), idle and GC shown apart. For the profiles of `npm run bench`:
 *
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --only burst --runs 1 --no-write
 *   node --import tsx bench/tools/cpuprofile-summary.ts /tmp/prof/CPU.*.cpuprofile [top=30]
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: cpuprofile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));

function source(url: string, fn: string): string {
  if (url === "") return `(${fn || "native"})`.replace("((", "(").replace("))", ")");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith("node:")) return url;
  const ours = /\/(?:bench\/out\/js\/)?(src|bench)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

const byFunction = new Map<string, number>();
const bySource = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const f = frames.get(id);
  if (!f) return;
  total += dt;
  const src = source(f.url, f.functionName);
  const fn = `${f.functionName || "(anonymous)"}  ${src}:${f.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  bySource.set(src, (bySource.get(src) ?? 0) + dt);
});

const idle = bySource.get("(idle)") ?? 0;
const busy = total - idle;
const row = (name: string, us: number) =>
  `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`;
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (share of busy time)`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    if (name.startsWith("(idle)")) continue;
    console.log(row(name, us));
  }
};
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy`,
);
print("By source", bySource);
print("By function (self time)", byFunction);
