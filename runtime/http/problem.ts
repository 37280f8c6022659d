/**
 * The ONE place where errors become HTTP: every error class maps to an
 * `application/problem+json` document here.
 */
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { AppError, type FieldIssue, ValidationError } from "../errors.ts";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  [key: string]: unknown;
}

const TYPE_BASE = "https://aionix.one/problems/";

/** Converts zod issues to field issues with JSON-pointer paths, prefixed by where the data came from. */
export function zodIssues(error: ZodError, prefix = ""): FieldIssue[] {
  return error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const path = [...issue.path, ...(keys.length === 1 ? [keys[0]] : [])]
      .map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1"));
    const pointer = prefix + (path.length ? "/" + path.join("/") : "");
    const message = issue.code === "unrecognized_keys"
      ? `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")}: remove ${
        keys.length > 1 ? "them" : "it"
      }`
      : issue.message;
    return { path: pointer, message, code: issue.code };
  });
}

export function validationFromZod(error: ZodError, prefix = ""): ValidationError {
  return new ValidationError(zodIssues(error, prefix));
}

const HTTP_TITLES: Record<number, [string, string]> = {
  400: ["bad-request", "Bad request"],
  401: ["unauthorized", "Unauthorized"],
  404: ["not-found", "Not found"],
  405: ["method-not-allowed", "Method not allowed"],
  413: ["payload-too-large", "Payload too large"],
  415: ["unsupported-media-type", "Unsupported media type"],
};

function hintFor(status: number, message: string): string {
  if (status === 400 && /malformed json/i.test(message)) {
    return "the request body is not valid JSON: check quoting and commas";
  }
  if (status === 415) return "send the body as JSON with 'Content-Type: application/json'";
  return message;
}

/** Returns the status and problem document for any thrown value; 500s hide internals. */
export function toProblem(err: unknown): Problem {
  if (err instanceof AppError) {
    return {
      type: TYPE_BASE + err.type,
      title: err.title,
      status: err.status,
      detail: err.message,
      ...err.extra(),
    };
  }
  if (err instanceof HTTPException) {
    const [type, title] = HTTP_TITLES[err.status] ?? ["http", "HTTP error"];
    return { type: TYPE_BASE + type, title, status: err.status, detail: hintFor(err.status, err.message) };
  }
  return {
    type: TYPE_BASE + "internal",
    title: "Internal error",
    status: 500,
    detail: "the server failed to handle the request; see the server log for the request id",
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
