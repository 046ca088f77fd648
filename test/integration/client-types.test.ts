/** Type-level contracts: the client satisfies the interfaces the listener owns. */
import { describe, expectTypeOf, it } from "vitest";
import type { MessageSessionClient, ScaleSetClient } from "../../src/index.js";
import type { ListenerClient, ListenerSession } from "../../src/listener/types.js";

describe("client types", () => {
  it("ScaleSetClient structurally satisfies ListenerClient", () => {
    expectTypeOf<ScaleSetClient>().toExtend<ListenerClient>();
  });

  it("MessageSessionClient structurally satisfies ListenerSession", () => {
    expectTypeOf<MessageSessionClient>().toExtend<ListenerSession>();
  });
});
