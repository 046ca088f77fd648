/**
 * Request recording: one JSON line per request served, with Authorization values masked to
 * their scheme (`Bearer ***`).
 * @module
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.js";
import { EmulatorOptionError, errorCode } from "./option-error.js";

/** One recorded request. */
export interface RecordedRequest {
  ts: string;
  operation: string | null;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);

/** Masks secret header values, keeping the auth scheme. */
export function maskHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    if (SECRET_HEADERS.has(key)) {
      const space = value.indexOf(" ");
      out[key] = space > 0 ? `${value.slice(0, space)} ***` : "***";
    } else {
      out[key] = value;
    }
  });
  return out;
}

/** Appends recorded requests to a JSONL file. */
export class RequestRecorder {
  private readonly stream: WriteStream;

  private constructor(stream: WriteStream) {
    this.stream = stream;
  }

  /**
   * Opens (creates or appends to) `file`.
   * @throws EmulatorOptionError (`recordFile`) when it cannot be opened for writing
   */
  static async open(file: string): Promise<RequestRecorder> {
    const stream = createWriteStream(file, { flags: "a" });
    try {
      await once(stream, "open");
    } catch (err) {
      throw new EmulatorOptionError("recordFile", `cannot write ${file} (${errorCode(err)})`, {
        cause: err,
      });
    }
    return new RequestRecorder(stream);
  }

  /** Middleware that records every request after it is answered. */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const text = c.req.method === "GET" || c.req.method === "HEAD" ? "" : await c.req.text();
      await next();
      const url = new URL(c.req.url);
      const entry: RecordedRequest = {
        ts: new Date().toISOString(),
        operation: c.get("operation") ?? null,
        method: c.req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: maskHeaders(c.req.raw.headers),
        body: parseBody(text),
        status: c.res.status,
      };
      this.stream.write(`${JSON.stringify(entry)}\n`);
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
