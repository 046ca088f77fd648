/**
 * Makes sure the runner image is present, pulling it only when it is missing.
 * @module
 */
import type Dockerode from "dockerode";
import { ProviderError } from "../errors.js";
import { engineErrorMessage } from "./engine-error.js";

/** True when dockerode reports HTTP `status`. */
export function hasStatus(err: unknown, status: number): boolean {
  return (err as { statusCode?: unknown } | null)?.statusCode === status;
}

/**
 * Resolves once `image` exists locally. Pulls it when missing and `pull` allows; otherwise (or
 * when the pull fails) rejects with a {@link ProviderError} naming the image and the way out.
 */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  pull: "missing" | "never",
): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (err) {
    if (!hasStatus(err, 404)) {
      throw new ProviderError(
        `inspecting runner image ${image} failed: ${engineErrorMessage(err)}`,
        {
          provider: "docker",
          cause: err,
        },
      );
    }
  }
  const hint =
    "build the local test image with `npm run build:runner-image` (scaleset-fake-runner:local) or choose another image with --runner-image";
  if (pull === "never") {
    throw new ProviderError(
      `runner image ${image} is not present and pulling is disabled: ${hint}`,
      {
        provider: "docker",
      },
    );
  }
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    throw new ProviderError(
      `runner image ${image} is not present and pulling it failed (${engineErrorMessage(err)}): ${hint}`,
      { provider: "docker", cause: err },
    );
  }
}
