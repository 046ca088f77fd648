import type { Command } from "commander";
import { registerDemo } from "./demo.js";
import { registerDoctor } from "./doctor.js";
import { registerEmulator } from "./emulator.js";
import { registerFakeRunner } from "./fake-runner.js";
import { registerJit } from "./jit.js";
import { registerRun } from "./run.js";
import { registerRunners } from "./runners.js";
import { registerScaleSets } from "./scale-sets.js";

/** Adds every subcommand to the program. One line per command file. */
export function registerCommands(program: Command): void {
  registerDoctor(program);
  registerJit(program);
  registerRunners(program);
  registerScaleSets(program);
  registerDemo(program);
  registerRun(program);
  registerEmulator(program);
  registerFakeRunner(program);
}
