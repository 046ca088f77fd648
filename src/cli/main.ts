#!/usr/bin/env node
/**
 * The `scaleset` binary: one commander program, one file per command under `commands/`.
 * Bad input of any kind ends as one line on stderr and exit code 2.
 * @module
 */
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { explainError } from "./explain-error.js";
import { CliUsageError } from "./usage-error.js";

let parseError = "";
const program = new Command("scaleset")
  .description("Self-hosted GitHub Actions runners through the Runner Scale Set API")
  // Commander's own errors (unknown option, bad choice, missing argument) as one line, no help dump.
  .configureOutput({
    outputError: (text) => {
      parseError = text;
    },
  })
  .exitOverride();

// Options come after the command name, so the first argument names the command (if any).
await registerCommands(program, process.argv[2]);

/** `scaleset scale-sets get` for the command line being parsed (for the `--help` hint). */
function commandPath(args: readonly string[]): string {
  const path = ["scaleset"];
  let command: Command = program;
  for (const arg of args) {
    const sub = command.commands.find((c) => c.name() === arg);
    if (!sub) break;
    path.push(arg);
    command = sub;
  }
  return path.join(" ");
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (parseError) {
      const message = parseError
        .replace(/^error: /, "")
        .replace(/\s*\n\s*/g, " ")
        .trim();
      console.error(`scaleset: ${message} (see ${commandPath(process.argv.slice(2))} --help)`);
    }
    process.exit(err.exitCode === 1 ? 2 : err.exitCode);
  }
  if (err instanceof CliUsageError) {
    console.error(`scaleset: ${err.message}`);
    process.exit(2);
  }
  const { line, exitCode } = explainError(err);
  console.error(`scaleset: ${line}`);
  process.exit(exitCode);
}
