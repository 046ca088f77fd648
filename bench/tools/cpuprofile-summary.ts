/**
 * Prints where a V8 CPU profile spends its time (see bench/lib/cpu-profile.ts), e.g. for our
 * side of a benchmark:
 *
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --only burst --runs 1 --no-write
 *   node --import tsx bench/tools/cpuprofile-summary.ts /tmp/prof/CPU.*.cpuprofile [top=30]
 */
import { type Breakdown, summarizeCpuProfile } from "../lib/cpu-profile.js";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: cpuprofile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const summary = summarizeCpuProfile(file);
const row = (name: string, us: number) =>
  `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / summary.busyUs).toFixed(1).padStart(5)} %  ${name}`;
const print = (title: string, breakdown: Breakdown) => {
  console.log(`\n${title} (share of busy time)`);
  for (const [name, us] of breakdown.slice(0, top)) console.log(row(name, us));
};
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
console.log(`${file}: ${(summary.busyUs / 1000).toFixed(0)} ms busy`);
console.log(
  `this repository's src/ ${pct(summary.shares.src)}, Node internals ${pct(summary.shares.node)}, npm packages ${pct(summary.shares.npm)}`,
);
print("By source", summary.bySource);
print("By function (self time)", summary.byFunction);
