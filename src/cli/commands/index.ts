import type { Command } from "commander";
import { registerDemo } from "./demo.js";
import { registerEmulator } from "./emulator.js";
import { registerFakeRunner } from "./fake-runner.js";
import { registerScaleSets } from "./scale-sets.js";
import { registerRunners } from "./runners.js";
import { registerJit } from "./jit.js";
import { registerDoctor } from "./doctor.js";
import { registerRun } from "./run.js";

/** Adds every subcommand to the program. One line per command file. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerRun(program);
  registerDoctor(program);
  registerJit(program);
  registerRunners(program);
  registerScaleSets(program);
  registerEmulator(program);
  registerFakeRunner(program);
}
