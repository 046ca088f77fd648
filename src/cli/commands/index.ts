import type { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Every subcommand, in help order, each loaded on demand: a command line loads only the module of
 * the command it runs (the emulator alone takes about a second to import under tsx).
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["doctor", async () => (await import("./doctor.js")).registerDoctor],
  ["jit", async () => (await import("./jit.js")).registerJit],
  ["runners", async () => (await import("./runners.js")).registerRunners],
  ["scale-sets", async () => (await import("./scale-sets.js")).registerScaleSets],
  ["demo", async () => (await import("./demo.js")).registerDemo],
  ["run", async () => (await import("./run.js")).registerRun],
  ["emulator", async () => (await import("./emulator.js")).registerEmulator],
  ["fake-runner", async () => (await import("./fake-runner.js")).registerFakeRunner],
];

/**
 * Adds the subcommands to the program: only `name`'s when it names one, otherwise all of them
 * (for `scaleset --help` and unknown commands).
 */
export async function registerCommands(program: Command, name?: string): Promise<void> {
  const only = COMMANDS.filter(([n]) => n === name);
  for (const [, load] of only.length > 0 ? only : COMMANDS) (await load())(program);
}
