/**
 * `scaleset scale-sets list|get|delete`: inspect and remove scale sets.
 * @module
 */
import type { Command } from "commander";
import type { ScaleSetClient } from "../../client/index.js";
import { loadConnection, loadConnections } from "../../daemon/config.js";
import { connectionKey } from "../../daemon/config-connection.js";
import type { Connection } from "../../daemon/config-schema.js";
import type { RunnerScaleSet } from "../../wire/types.js";
import { CliUsageError } from "../usage-error.js";
import { addConnectionOptions, usage } from "./run.js";

type Flags = Record<string, unknown> & {
  runnerGroup?: string;
  json?: boolean;
  yes?: boolean;
  config?: string;
};

const CONNECTION_KEYS = new Set([
  "url",
  "token",
  "appClientId",
  "appInstallationId",
  "appPrivateKey",
  "appPrivateKeyFile",
  "config",
]);

/**
 * The connection from the connection flags: that of the config file's `scaleSets` entry named
 * `scaleSet` when there is one, else the top-level one (exit 2 on bad input).
 */
export function connectionFromFlags(flags: Record<string, unknown>, scaleSet?: string): Connection {
  return usage(() => loadConnection({ flags: connectionFlags(flags) }, scaleSet));
}

/** Only the connection flags: the commands give --name other meanings (a list, a runner's set). */
function connectionFlags(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([key]) => CONNECTION_KEYS.has(key)));
}

/** A client for `connection` (the client code loads only once the input is checked). */
export async function clientFor(
  connection: Connection,
  subsystem: string,
): Promise<ScaleSetClient> {
  const { createClient } = await import("../../daemon/client-factory.js");
  return createClient({ ...connection, subsystem });
}

/** A client from the connection flags, for the scale set named `scaleSet` (see {@link connectionFromFlags}). */
export async function clientFromFlags(
  flags: Record<string, unknown>,
  subsystem: string,
  scaleSet?: string,
): Promise<ScaleSetClient> {
  return clientFor(connectionFromFlags(flags, scaleSet), subsystem);
}

/** Finds a scale set by numeric id or by name in the runner group; throws a usage error if none. */
export async function findScaleSet(
  client: ScaleSetClient,
  ref: string,
  runnerGroup = "default",
): Promise<RunnerScaleSet> {
  if (/^\d+$/.test(ref)) {
    const found = await client.getRunnerScaleSetById(Number(ref));
    if (!found) throw new CliUsageError(`scale set id ${ref} not found; check the id`);
    return found;
  }
  const found = await client.getRunnerScaleSet(
    (await client.getRunnerGroupByName(runnerGroup)).id,
    ref,
  );
  if (!found) {
    throw new CliUsageError(
      `scale set "${ref}" not found in runner group "${runnerGroup}"; check the name or --runner-group`,
    );
  }
  return found;
}

function describe(s: RunnerScaleSet): string {
  const st = s.statistics;
  return [
    `id:         ${s.id}`,
    `name:       ${s.name}`,
    `group:      ${s.runnerGroupName || s.runnerGroupId}`,
    `labels:     ${s.labels.map((l) => l.name).join(", ")}`,
    `created:    ${s.createdOn}`,
    st
      ? `jobs:       ${st.totalAssignedJobs} assigned, ${st.totalRunningJobs} running, ${st.totalAvailableJobs} available`
      : "jobs:       -",
    st
      ? `runners:    ${st.totalRegisteredRunners} registered, ${st.totalBusyRunners} busy, ${st.totalIdleRunners} idle`
      : "runners:    -",
  ].join("\n");
}

const EXAMPLES = `
Examples:
  $ scaleset scale-sets list --url https://github.com/my-org --config scaleset.yaml
  $ scaleset scale-sets get linux-x64 --url https://github.com/my-org --token ghp_…
  $ scaleset scale-sets get 42 --json
  $ scaleset scale-sets delete linux-x64 --yes`;

/** Registers `scaleset scale-sets`. */
export function registerScaleSets(program: Command): void {
  const group = program
    .command("scale-sets")
    .description("List, show and delete scale sets")
    .addHelpText("after", EXAMPLES);
  addConnectionOptions(
    group
      .command("list")
      .description(
        "Show the scale sets named by --name (comma-separated) or in the config file (the API has no list call)",
      )
      .option("--name <names>", "scale set names, comma-separated")
      .option("--runner-group <name>", "runner group", "default")
      .option("--json", "print JSON"),
  ).action(async (flags: Flags & { name?: string }) => {
    // Each name with its connection: a --name's config entry's (else the top level's), or every
    // entry of the config file with its own. One client per distinct connection.
    const groups: Array<Connection & { scaleSets: string[] }> = [];
    if (flags.name) {
      for (const name of flags.name.split(",").map((n) => n.trim())) {
        if (name) groups.push({ ...connectionFromFlags(flags, name), scaleSets: [name] });
      }
    } else if (flags.config !== undefined) {
      groups.push(...usage(() => loadConnections({ flags: connectionFlags(flags) })));
    }
    if (!groups.some((g) => g.scaleSets.length > 0)) {
      connectionFromFlags(flags);
      throw new CliUsageError("--name: give scale set names or a --config file with scaleSets");
    }
    const clients = new Map<string, Promise<{ client: ScaleSetClient; groupId: number }>>();
    const lookup = (connection: Connection) => {
      const key = connectionKey(connection);
      let found = clients.get(key);
      if (!found) {
        found = clientFor(connection, "cli").then(async (client) => ({
          client,
          groupId: (await client.getRunnerGroupByName(flags.runnerGroup ?? "default")).id,
        }));
        clients.set(key, found);
      }
      return found;
    };
    const found = await Promise.all(
      groups.flatMap((group) =>
        group.scaleSets.map(async (name) => {
          const { client, groupId } = await lookup(group);
          return { name, set: await client.getRunnerScaleSet(groupId, name) };
        }),
      ),
    );
    if (flags.json) {
      console.log(
        JSON.stringify(
          found.map((f) => f.set ?? { name: f.name, missing: true }),
          null,
          2,
        ),
      );
      return;
    }
    console.log(["ID", "NAME", "LABELS", "ASSIGNED", "RUNNING", "RUNNERS"].join("\t"));
    for (const { name, set } of found) {
      if (!set) console.log(`-\t${name}\t(not found)`);
      else {
        const st = set.statistics;
        console.log(
          [
            set.id,
            set.name,
            set.labels.map((l) => l.name).join(","),
            st?.totalAssignedJobs ?? "-",
            st?.totalRunningJobs ?? "-",
            st?.totalRegisteredRunners ?? "-",
          ].join("\t"),
        );
      }
    }
  });
  addConnectionOptions(
    group
      .command("get <name-or-id>")
      .description("Show one scale set with its statistics")
      .option("--runner-group <name>", "runner group of a scale set given by name", "default")
      .option("--json", "print JSON"),
  ).action(async (ref: string, flags: Flags) => {
    const client = await clientFromFlags(flags, "cli", ref);
    const set = await findScaleSet(client, ref, flags.runnerGroup);
    console.log(flags.json ? JSON.stringify(set, null, 2) : describe(set));
  });
  addConnectionOptions(
    group
      .command("delete <name-or-id>")
      .description("Delete a scale set (the service refuses while a runner of it runs a job)")
      .option("--runner-group <name>", "runner group of a scale set given by name", "default")
      .option("--yes", "do not ask; required when stdin is not a terminal"),
  ).action(async (ref: string, flags: Flags) => {
    const client = await clientFromFlags(flags, "cli", ref);
    const set = await findScaleSet(client, ref, flags.runnerGroup);
    if (!flags.yes)
      throw new CliUsageError(`--yes: confirm deleting scale set "${set.name}" (id ${set.id})`);
    await client.deleteRunnerScaleSet(set.id);
    console.log(`deleted scale set ${set.name} (id ${set.id})`);
  });
  for (const sub of group.commands) sub.addHelpText("after", EXAMPLES);
}
