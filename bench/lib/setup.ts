/**
 * Shared setup of the benchmarks: an admin client on the orchestrator side, scale set creation,
 * the commands that start each side, and session cleanup between runs.
 */
import { ScaleSetClient } from "../../src/client/index.js";
import { AGENT_JS, GO_BIN } from "./build.js";
import { JsonChild } from "./child.js";
import type { BenchEmulator } from "./emulator.js";

/** Which implementation a child runs. */
export type Side = "ours" | "go";

/** Arguments common to both sides. */
export interface AgentArgs {
  ids: number[];
  maxRunners?: number;
  seconds?: number;
  /** Extra node flags for our side (e.g. `--cpu-prof`), after BENCH_NODE_FLAGS. */
  nodeFlags?: string[];
}

/** Starts our agent (`node agent.js`) or the Go reference (`benchgo`) in `mode`. */
export function startSide(
  side: Side,
  mode: "idle" | "scaler" | "client" | "raw",
  emulator: BenchEmulator,
  args: AgentArgs,
): JsonChild {
  const flags = [
    "--config-url",
    emulator.configUrl,
    "--ids",
    args.ids.join(","),
    "--max-runners",
    String(args.maxRunners ?? 10),
    "--seconds",
    String(args.seconds ?? 5),
  ];
  if (emulator.caFile) flags.push("--ca-file", emulator.caFile);
  const env = { BENCH_TOKEN: emulator.token };
  return side === "ours"
    ? new JsonChild(
        process.execPath,
        [...oursNodeFlags(), ...(args.nodeFlags ?? []), AGENT_JS, mode, ...flags],
        env,
      )
    : new JsonChild(GO_BIN, [mode, ...flags], env);
}

/** BENCH_NODE_FLAGS: extra node flags for our side, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
function oursNodeFlags(): string[] {
  return (process.env["BENCH_NODE_FLAGS"] ?? "").split(/\s+/).filter(Boolean);
}

/** An orchestrator-side client for setup (creating scale sets). */
export function adminClient(emulator: BenchEmulator): ScaleSetClient {
  return ScaleSetClient.withToken({
    configUrl: emulator.configUrl,
    token: emulator.token,
    http: emulator.caPem ? { ca: emulator.caPem } : {},
  });
}

/** Creates scale sets named `${prefix}-${i}` (label = name), 16 at a time; returns their ids. */
export async function createScaleSets(
  client: ScaleSetClient,
  prefix: string,
  count: number,
): Promise<number[]> {
  const ids: number[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(16, count) }, async () => {
      while (next < count) {
        const i = next++;
        const name = `${prefix}-${i}`;
        const set = await client.createRunnerScaleSet({
          name,
          runnerGroupId: 1,
          labels: [{ name }],
        });
        ids[i] = set.id;
      }
    }),
  );
  return ids;
}

/** Evicts whatever sessions are left (a child that did not clean up must not 409 the next run). */
export async function evictSessions(emulator: BenchEmulator): Promise<number> {
  const sessions = await emulator.call<{ scaleSetId: number }[]>("listSessions");
  for (const s of sessions) await emulator.call("evictSession", s.scaleSetId);
  return sessions.length;
}
