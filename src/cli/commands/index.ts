import type { Command } from "commander";
import { registerDemo } from "./demo.js";
import { registerEmulator } from "./emulator.js";
import { registerFakeRunner } from "./fake-runner.js";
import { registerRun } from "./run.js";

/** Adds every subcommand to the program. One line per command file. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerRun(program);
  registerEmulator(program);
  registerFakeRunner(program);
}
