#!/usr/bin/env node
/**
 * The `scaleset` binary: one commander program, one file per command under `commands/`.
 * @module
 */
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { CliUsageError } from "./usage-error.js";

const program = new Command("scaleset")
  .description("Self-hosted GitHub Actions runners through the Runner Scale Set API")
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 1 ? 2 : err.exitCode);
  }
  if (err instanceof CliUsageError) {
    console.error(`scaleset: ${err.message}`);
    process.exit(2);
  }
  console.error(`scaleset: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
