import { describe, expect, it } from "vitest";
import { keyPaths, NON_OBJECTS, variants } from "../../test/helpers/decode-inputs.js";
import { decodeValue, validate } from "./decode.js";
import { isScaleSetError } from "./errors.js";
import { fastDecoders, type ResponseName } from "./fast-responses.js";
import { schemas } from "./zod-schemas.js";

const stats = {
  totalAvailableJobs: 1,
  totalAcquiredJobs: 2,
  totalAssignedJobs: 3,
  totalRunningJobs: 4,
  totalRegisteredRunners: 5,
  totalBusyRunners: 6,
  totalIdleRunners: 7,
};
const scaleSet = {
  id: 3,
  name: "set",
  runnerGroupId: 1,
  runnerGroupName: "Default",
  labels: [{ type: "System", name: "set" }],
  RunnerSetting: { disableUpdate: true },
  createdOn: "2024-01-02T03:04:05.5Z",
  runnerJitConfigUrl: "https://pipelines.example/jit",
  statistics: stats,
};
const group = { id: 1, name: "Default", size: 2, isDefaultGroup: true };
const runner = { id: 9, name: "runner-1", runnerScaleSetId: 3 };
const session = {
  sessionId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  ownerName: "host",
  runnerScaleSet: scaleSet,
  messageQueueUrl: "https://pipelines.example/_apis/q?sessionId=1",
  messageQueueAccessToken: "queue-token",
  statistics: stats,
};

/** Valid samples of each response, mutated into many inputs by {@link variants}. */
const samples: Record<ResponseName, unknown[]> = {
  statistics: [stats],
  runnerScaleSet: [scaleSet, { id: 1, runnerSetting: { disableUpdate: false } }],
  runnerScaleSetList: [{ count: 1, value: [{ id: 1, name: "a", labels: [{ name: "l" }] }] }],
  runnerGroup: [group],
  runnerGroupList: [{ count: 2, value: [group, group] }],
  runnerReference: [runner],
  runnerReferenceList: [{ count: 1, value: [runner] }],
  jitConfig: [{ runner, encodedJITConfig: "secret" }],
  session: [session, { ...session, runnerScaleSet: { id: 3 } }],
  acquiredJobs: [{ count: 3, value: [1, 2, 2 ** 53 - 1] }],
  token: [{ token: "t", expires_at: "2024-01-02T03:04:05Z" }],
  registration: [{ url: "https://pipelines.example/abc", token: "admin" }],
};

describe.each(Object.keys(samples) as ResponseName[])("fast decoder %s", (name) => {
  const inputs = [...NON_OBJECTS, ...samples[name].flatMap((s) => variants(s))];
  const fast = fastDecoders[name] as (v: unknown) => unknown;

  it("decodes exactly what the zod schema accepts, to the same value, and refuses the rest", () => {
    let accepted = 0;
    for (const input of inputs) {
      const expected = schemas[name].safeParse(input);
      const actual = fast(input);
      if (expected.success) {
        accepted++;
        expect(actual, JSON.stringify(input)).toStrictEqual(expected.data);
        expect(keyPaths(actual)).toEqual(keyPaths(expected.data));
      } else {
        expect(actual, JSON.stringify(input)).toBeUndefined();
      }
    }
    // Both branches are exercised.
    expect(accepted).toBeGreaterThan(inputs.length / 10);
    expect(accepted).toBeLessThan(inputs.length);
    for (const sample of samples[name]) expect(fast(sample)).toBeDefined();
  });

  it("gives zod's value or zod's exact BAD_RESPONSE error through decodeValue", async () => {
    for (const input of inputs) {
      let expected: unknown;
      let expectedError: unknown;
      try {
        expected = validate(schemas[name], input, "GET where");
      } catch (error) {
        expectedError = error;
      }
      if (expectedError === undefined) {
        expect(await decodeValue(name, input, "GET where")).toStrictEqual(expected);
        continue;
      }
      const error = await decodeValue(name, input, () => "GET where").catch((e: unknown) => e);
      expect(isScaleSetError(error, "BAD_RESPONSE")).toBe(true);
      expect((error as Error).message).toBe((expectedError as Error).message);
    }
  });
});
