/**
 * Twin of the Go `runners` scenario.
 * @module
 */
import { isScaleSetError } from "../../src/client/index.js";
import { check, createSet, errorOf, patClient } from "./common.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** JIT config, duplicate name → RUNNER_EXISTS, get by id / name, remove, lookups miss. */
export async function runners(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const set = await createSet(client, "compat-runners", signal);
  const runnerName = "compat-runner-1";
  const jit = await client.generateJitRunnerConfig(set.id, { name: runnerName }, { signal });
  check(jit.runner.id !== 0 && jit.encodedJITConfig !== "", "generate JIT config: incomplete");
  const duplicate = await errorOf(() =>
    client.generateJitRunnerConfig(set.id, { name: runnerName }, { signal }),
  );
  check(isScaleSetError(duplicate, "RUNNER_EXISTS"), `duplicate JIT config: ${String(duplicate)}`);
  const runnerId = jit.runner.id;
  const got = await client.getRunner(runnerId, { signal });
  check(got?.name === runnerName && got.runnerScaleSetId === set.id, "get runner");
  const byName = await client.getRunnerByName(runnerName, { signal });
  check(byName?.id === runnerId, "get runner by name");
  await client.removeRunner(runnerId, { signal });
  check(
    (await client.getRunnerByName(runnerName, { signal })) === undefined,
    "by name after remove",
  );
  const gone = await errorOf(() => client.getRunner(runnerId, { signal }));
  check(isScaleSetError(gone, "RUNNER_NOT_FOUND"), `get runner after remove: ${String(gone)}`);
  await client.deleteRunnerScaleSet(set.id, { signal });
  return { runnerId };
}
