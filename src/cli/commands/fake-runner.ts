/**
 * `scaleset fake-runner`: the emulator's stand-in for the official runner.
 * @module
 */
import type { Command } from "commander";
import { decodeJitConfig, JitConfigError } from "../../emulator/fake-runner/jit.js";
import { runFakeRunner } from "../../emulator/fake-runner/run.js";
import { CliUsageError } from "../usage-error.js";

/** Registers `scaleset fake-runner`. */
export function registerFakeRunner(program: Command): void {
  program
    .command("fake-runner")
    .description("Run one job from the emulator like an ephemeral runner would, then exit")
    .option(
      "--jitconfig <blob>",
      "JIT config from generatejitconfig [ACTIONS_RUNNER_INPUT_JITCONFIG]",
    )
    .addHelpText("after", '\nExample:\n  $ scaleset fake-runner --jitconfig "$(cat jit.txt)"\n')
    .action(async (flags: { jitconfig?: string }) => {
      const { ACTIONS_RUNNER_INPUT_JITCONFIG: envBlob } = process.env;
      const blob = flags.jitconfig ?? envBlob;
      if (!blob)
        throw new CliUsageError("--jitconfig is required (or set ACTIONS_RUNNER_INPUT_JITCONFIG)");
      let config: ReturnType<typeof decodeJitConfig>;
      try {
        config = decodeJitConfig(blob);
      } catch (err) {
        if (err instanceof JitConfigError)
          throw new CliUsageError(`--jitconfig: invalid JIT config: ${err.message}`);
        throw err;
      }
      process.exitCode = await runFakeRunner(config);
    });
}
