/**
 * What to say when a Docker engine call fails: a connection that never reached an engine gets
 * the socket and the way to point at the right one, anything else the engine's own message.
 * @module
 */
import { errorMessage } from "../errors.js";

const UNREACHABLE = new Set(["ENOENT", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"]);

/**
 * The message of a failed engine call, with `secret` redacted. A refused or missing socket reads
 * `no Docker engine at /var/run/docker.sock (ENOENT); start dockerd, or point DOCKER_HOST or
 * docker.socketPath at the engine's socket`; a socket this user may not use says so.
 */
export function engineErrorMessage(err: unknown, secret?: string): string {
  const e = err as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown } | null;
  if (e?.syscall !== "connect" && e?.syscall !== "getaddrinfo") return errorMessage(err, secret);
  const code = typeof e.code === "string" ? e.code : "";
  const host = typeof e.address === "string" ? e.address : "the configured address";
  const where = typeof e.port === "number" ? `${host}:${e.port}` : host;
  if (code === "EACCES") {
    return `permission denied on the Docker engine's socket ${where} (EACCES); run as root or a member of the docker group`;
  }
  if (!UNREACHABLE.has(code)) return errorMessage(err, secret);
  return `no Docker engine at ${where} (${code}); start dockerd, or point DOCKER_HOST or docker.socketPath at the engine's socket`;
}
