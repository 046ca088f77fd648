/**
 * `scaleset jit`: a JIT config for starting a runner by hand.
 * @module
 */
import type { Command } from "commander";
import { runnerName } from "../../autoscaler/runner-name.js";
import { CliUsageError } from "../usage-error.js";
import { addConnectionOptions } from "./run.js";
import { clientFromFlags, findScaleSet } from "./scale-sets.js";

const EXAMPLES = `
Examples:
  # start one runner by hand (the blob is a secret: it registers a runner)
  $ ./run.sh --jitconfig "$(scaleset jit --name linux --url https://github.com/my-org --token ghp_…)"
  $ scaleset jit --name linux --runner-name my-debug-runner --work-folder _work`;

/** Registers `scaleset jit`. */
export function registerJit(program: Command): void {
  addConnectionOptions(
    program
      .command("jit")
      .description(
        "Print a JIT runner config (for run.sh --jitconfig) for a scale set; runner details go to stderr",
      )
      .option("--name <name>", "scale set name or id")
      .option("--runner-group <name>", "runner group", "default")
      .option("--runner-name <name>", "runner name (default: <scale set>-<random>)")
      .option("--work-folder <dir>", "runner work folder", ""),
  )
    .addHelpText("after", EXAMPLES)
    .action(
      async (
        flags: Record<string, unknown> & {
          name?: string;
          runnerGroup: string;
          runnerName?: string;
          workFolder: string;
        },
      ) => {
        if (!flags.name) throw new CliUsageError("--name: missing; name the scale set");
        const client = await clientFromFlags(flags, "cli", flags.name);
        const set = await findScaleSet(client, flags.name, flags.runnerGroup);
        const jit = await client.generateJitRunnerConfig(set.id, {
          name: flags.runnerName ?? runnerName(set.name),
          workFolder: flags.workFolder,
        });
        console.error(
          `runner ${jit.runner.name} (id ${jit.runner.id}) registered in scale set ${set.name}`,
        );
        console.log(jit.encodedJITConfig);
      },
    );
}
