/** Schemas shared by every service's OpenAPI routes. */
import { z } from "zod";

const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
    .optional(),
}).meta({ id: "Problem" });

const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** Standard error responses for OpenAPI route definitions. */
export const errorResponses = {
  400: { description: "Invalid input", content: problemContent },
  401: { description: "Missing or invalid token", content: problemContent },
  403: { description: "Not allowed for this role", content: problemContent },
  404: { description: "Not found", content: problemContent },
  409: { description: "Conflict", content: problemContent },
} as const;

/** Pagination: `limit` + opaque `nextToken`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().optional(),
});

export { decodePageToken, encodePageToken } from "./page_token.ts";
