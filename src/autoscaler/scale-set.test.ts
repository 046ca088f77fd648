import { describe, expect, it } from "vitest";
import { FakeScaleSetService } from "../../test/helpers/fake-scale-set-service.js";
import { ensureScaleSet, scaleSetLabels } from "./scale-set.js";

describe("ensureScaleSet", () => {
  it("creates a missing scale set with its name as first label", async () => {
    const service = new FakeScaleSetService();
    const { scaleSet, action } = await ensureScaleSet(service, { name: "linux", labels: ["x64"] });
    expect(action).toBe("created");
    expect(scaleSet.labels.map((l) => l.name)).toEqual(["linux", "x64"]);
    expect(scaleSet.runnerSetting).toEqual({ disableUpdate: true });
  });

  it("finds an existing scale set without changing it when labels match", async () => {
    const service = new FakeScaleSetService();
    const first = await ensureScaleSet(service, { name: "linux", labels: ["x64"] });
    const again = await ensureScaleSet(service, { name: "linux", labels: ["x64", "linux"] });
    expect(again).toEqual({ scaleSet: first.scaleSet, action: "found" });
    expect(service.calls).not.toContain("updateRunnerScaleSet");
  });

  it("updates the labels of an existing scale set when they changed", async () => {
    const service = new FakeScaleSetService();
    const first = await ensureScaleSet(service, { name: "linux", labels: ["x64"] });
    const again = await ensureScaleSet(service, { name: "linux", labels: ["arm64"] });
    expect(again.action).toBe("updated");
    expect(again.scaleSet.id).toBe(first.scaleSet.id);
    expect(again.scaleSet.labels.map((l) => l.name)).toEqual(["linux", "arm64"]);
  });
});

describe("scaleSetLabels", () => {
  it("puts the name first and drops blanks and duplicates", () => {
    expect(scaleSetLabels("a", [" b ", "", "a", "b"])).toEqual(["a", "b"]);
  });
});
