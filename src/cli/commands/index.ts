import type { Command } from "commander";

/** Adds every subcommand to the program. One line per command file. */
export function registerCommands(program: Command): void {
  void program;
}
