/**
 * Twin of the Go `scale-set-crud` scenario.
 * @module
 */
import { check, createSet, patClient } from "./common.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** By-name miss, create, get by id, get by name, update (merge), delete, by-name miss. */
export async function scaleSetCrud(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const name = "compat-crud";
  check(
    (await client.getRunnerScaleSet(1, name, { signal })) === undefined,
    "get by name before create",
  );
  const set = await createSet(client, name, signal);
  const byId = await client.getRunnerScaleSetById(set.id, { signal });
  check(byId?.name === name, "get by id");
  const byName = await client.getRunnerScaleSet(1, name, { signal });
  check(byName?.id === set.id, "get by name");
  const updated = await client.updateRunnerScaleSet(
    set.id,
    { labels: [{ name }, { name: "linux" }] },
    { signal },
  );
  check(updated.name === name && updated.labels.length === 2, "update: merge semantics broken");
  await client.deleteRunnerScaleSet(set.id, { signal });
  check(
    (await client.getRunnerScaleSet(1, name, { signal })) === undefined,
    "get by name after delete",
  );
  const afterDelete = await client.getRunnerScaleSetById(set.id, { signal }).catch(() => undefined);
  check(afterDelete === undefined, "get by id after delete: still there");
  return { scaleSetId: set.id };
}
