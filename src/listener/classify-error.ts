/**
 * Maps an error from the client (or a scaler) to the listener's recovery action.
 *
 * Reads the client's error fields (`code`, `status`, `exceptionName`) by shape rather than by
 * class, as `isScaleSetError` does, so the listener depends only on the client's contract.
 * @module
 */

/** What the listener does after an error. */
export type Recovery =
  /** Bad credentials or configuration: `run()` cleans up and throws. */
  | "fatal"
  /** Another (or our own stale) session holds the scale set: wait, then create again. */
  | "conflict"
  /** The service forgot the session (404, expired, evicted): create a new one. */
  | "new-session"
  /** The message-queue token expired even after the client's own refresh: refresh the session. */
  | "refresh"
  /** The scale set no longer exists: report it, re-create it when allowed. */
  | "scale-set-missing"
  /** Anything else (429, 5xx, network, bad body, scaler failure): wait, then try again. */
  | "retry";

/** The phase an error came from; a bare 404 means different things per phase. */
export type ErrorPhase = "create-session" | "session" | "handle" | "recreate";

/** The error fields the listener reads. */
export interface ErrorInfo {
  code: string | undefined;
  status: number | undefined;
  exceptionName: string | undefined;
  serviceMessage: string | undefined;
  message: string;
}

function field(err: object, key: string): unknown {
  return (err as Record<string, unknown>)[key];
}

/** Extracts the fields of {@link ErrorInfo} from any thrown value. */
export function errorInfo(err: unknown): ErrorInfo {
  if (typeof err !== "object" || err === null) {
    return {
      code: undefined,
      status: undefined,
      exceptionName: undefined,
      serviceMessage: undefined,
      message: String(err),
    };
  }
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const status = field(err, "status");
  return {
    code: str(field(err, "code")),
    status: typeof status === "number" ? status : undefined,
    exceptionName: str(field(err, "exceptionName")),
    serviceMessage: str(field(err, "serviceMessage")),
    message: err instanceof Error ? err.message : String(err),
  };
}

const FATAL_CODES = new Set(["AUTH_FAILED", "INVALID_CONFIG", "INVALID_CONFIG_URL"]);

/** Decides how the listener recovers from `err` raised during `phase`. */
export function classifyError(err: unknown, phase: ErrorPhase): Recovery {
  const { code, status, exceptionName = "" } = errorInfo(err);
  if (code !== undefined && FATAL_CODES.has(code)) return "fatal";
  if (code === "SCALE_SET_NOT_FOUND" || exceptionName.includes("RunnerScaleSetNotFoundException")) {
    return "scale-set-missing";
  }
  if (code === "SESSION_CONFLICT" || exceptionName.includes("SessionConflictException")) {
    return "conflict";
  }
  if (
    code === "SESSION_NOT_FOUND" ||
    exceptionName.includes("SessionExpiredException") ||
    exceptionName.includes("RunnerAdminException")
  ) {
    return "new-session";
  }
  if (code === "MESSAGE_QUEUE_TOKEN_EXPIRED")
    return phase === "create-session" ? "retry" : "refresh";
  if (phase === "create-session" && status === 409) return "conflict";
  if ((phase === "session" || phase === "handle") && status === 404) return "new-session";
  if ((phase === "session" || phase === "handle") && status === 401) return "refresh";
  return "retry";
}

/** True when `err` is "already gone" on session delete: treated as success on shutdown. */
export function isSessionGone(err: unknown): boolean {
  const recovery = classifyError(err, "session");
  if (recovery === "new-session" || recovery === "scale-set-missing") return true;
  const { status } = errorInfo(err);
  return status === 404 || status === 410;
}

/**
 * Who holds the session a 409 complained about: `self` when the service message names our own
 * owner (a stale session of an earlier run), `foreign` when it names another, else `unknown`.
 */
export function conflictOwnerOf(info: ErrorInfo, owner: string): "self" | "foreign" | "unknown" {
  const text = `${info.serviceMessage ?? ""} ${info.message}`;
  const words = text.split(/[\s'"`()[\]{}]+/).map((w) => w.replace(/[.,;:!?]+$/, ""));
  if (words.includes(owner)) return "self";
  return /\bowner\b/i.test(text) ? "foreign" : "unknown";
}
