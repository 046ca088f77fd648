/**
 * `scaleset runners list|remove`: the runners of a scale set, as its provider and the service see them.
 * @module
 */
import type { Command } from "commander";
import { loadConfig } from "../../daemon/config.js";
import { connectionOf } from "../../daemon/config-schema.js";
import { createProvider } from "../../daemon/providers.js";
import { silentLogger } from "../../util/logger.js";
import { CliUsageError } from "../usage-error.js";
import { addConnectionOptions, usage } from "./run.js";
import { clientFor, clientFromFlags, connectionFromFlags, findScaleSet } from "./scale-sets.js";

type RunnerFlags = Record<string, unknown> & { name?: string; json?: boolean; provider?: string };

const EXAMPLES = `
Examples:
  $ scaleset runners list --url https://github.com/my-org --name linux --provider process --runner-dir /opt/actions-runner
  $ scaleset runners list --config scaleset.yaml --name linux
  $ scaleset runners remove linux-3f9a1c2b --url https://github.com/my-org --token ghp_…
  $ scaleset runners remove 1234 --name linux --provider docker   # also removes its container`;

/** Registers `scaleset runners`. */
export function registerRunners(program: Command): void {
  const group = program
    .command("runners")
    .description("List and remove runners")
    .addHelpText("after", EXAMPLES);
  addConnectionOptions(
    group
      .command("list")
      .description("Runners the provider has for a scale set, with their service-side registration")
      .option("--name <name>", "scale set name")
      .option("--provider <type>", "docker or process (as given to scaleset run)")
      .option("--runner-dir <dir>", "process: runner directory")
      .option("--work-dir <dir>", "process: per-runner copies directory")
      .option("--runner-image <image>", "docker: runner image")
      .option("--runner-group <name>", "runner group")
      .option("--json", "print JSON"),
  ).action(async (flags: RunnerFlags) => {
    const config = usage(() => loadConfig({ flags }));
    const named = config.scaleSets.filter((s) => s.name === flags.name);
    // A name at several URLs: --url picks one (the same choice as the other admin commands).
    const picked = named.length > 1 ? connectionFromFlags(flags, flags.name).url : named[0]?.url;
    const setConfig =
      named.find((s) => connectionOf(config, s).url === picked) ?? config.scaleSets[0];
    if (!setConfig) throw new CliUsageError("--name: missing");
    const client = await clientFor(connectionOf(config, setConfig), "cli");
    const set = await findScaleSet(client, setConfig.name, setConfig.runnerGroup);
    const provider = await createProvider(setConfig.provider, silentLogger);
    const found = await provider.list(set.id);
    const rows = await Promise.all(
      found.map(async (r) => ({ ...r, serviceId: (await client.getRunnerByName(r.name))?.id })),
    );
    if (flags.json) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    console.log(["NAME", "STATE", "SERVICE-ID"].join("\t"));
    for (const r of rows)
      console.log([r.name, r.state, r.serviceId ?? "(not registered)"].join("\t"));
  });
  addConnectionOptions(
    group
      .command("remove <name-or-id>")
      .description(
        "Remove a runner from the service (and from the provider when --provider is given)",
      )
      .option("--name <name>", "scale set name (with --provider)")
      .option("--provider <type>", "also remove the runner's process/container: docker or process")
      .option("--runner-dir <dir>", "process: runner directory")
      .option("--work-dir <dir>", "process: per-runner copies directory"),
  ).action(async (ref: string, flags: RunnerFlags) => {
    const client = await clientFromFlags(flags, "cli", flags.name);
    const runner = /^\d+$/.test(ref)
      ? await client.getRunner(Number(ref))
      : await client.getRunnerByName(ref);
    if (!runner) {
      throw new CliUsageError(
        `runner "${ref}" not found; scaleset runners list --name <scale set> shows the runners`,
      );
    }
    await client.removeRunner(runner.id);
    if (flags.provider) {
      const config = usage(() => loadConfig({ flags }));
      const setConfig = config.scaleSets.find((s) => s.name === flags.name) ?? config.scaleSets[0];
      if (setConfig)
        await (await createProvider(setConfig.provider, silentLogger)).remove(runner.name);
    }
    console.log(`removed runner ${runner.name} (id ${runner.id})`);
  });
  for (const sub of group.commands) sub.addHelpText("after", EXAMPLES);
}
