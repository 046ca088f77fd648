import { describe, expect, it } from "vitest";
import { isManaged, runnerLabels, toProvisionedRunner } from "./labels.js";

const labels = runnerLabels("rn-1", 12, ["linux", "x64"]);

describe("toProvisionedRunner", () => {
  it("maps a running container to a running runner of its scale set", () => {
    expect(toProvisionedRunner({ State: "running", Labels: labels })).toEqual({
      name: "rn-1",
      scaleSetId: 12,
      state: "running",
    });
  });

  it("reads the exit code from an exited container's status", () => {
    expect(
      toProvisionedRunner({
        State: "exited",
        Status: "Exited (137) 3 seconds ago",
        Labels: labels,
      }),
    ).toEqual({ name: "rn-1", scaleSetId: 12, state: "exited", exitCode: 137 });
  });

  it("treats a container created but never started as running for a minute, then as exited", () => {
    const now = 1_000_000_000;
    const fresh = { State: "created", Created: now / 1000 - 5, Labels: labels };
    const stale = { State: "created", Created: now / 1000 - 120, Labels: labels };
    expect(toProvisionedRunner(fresh, now)?.state).toBe("running");
    expect(toProvisionedRunner(stale, now)).toEqual({
      name: "rn-1",
      scaleSetId: 12,
      state: "exited",
      exitCode: undefined,
    });
  });

  it("ignores containers without a scale set id label", () => {
    expect(toProvisionedRunner({ State: "running", Labels: {} })).toBeUndefined();
  });
});

describe("isManaged", () => {
  it("recognises only containers labelled by scaleset", () => {
    expect(isManaged(labels)).toBe(true);
    expect(isManaged({ "dev.scaleset.managed-by": "someone-else" })).toBe(false);
    expect(isManaged(undefined)).toBe(false);
  });
});
