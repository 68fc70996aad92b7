import { z } from "zod";
import type { RouteSpec } from "./routes.ts";

/** `/students/:id` → `/students/{id}` */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, "{$1}");

const errorResponse = {
  description: "An error",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};

function parameters(schema: z.ZodType | undefined, where: "query" | "path") {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: s }));
}

/** The OpenAPI 3 document, written from the same route table that wires Express. */
export function openApiDocument(routes: readonly RouteSpec[], version: string) {
  const paths: Record<string, object> = {};
  for (const route of routes) {
    paths[openApiPath(route.path)] = {
      get: {
        summary: route.summary,
        security: route.public ? [] : [{ bearer: [] }],
        parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
        responses: {
          200: {
            description: route.studentLevel ? "OK (student-level: the read is written to the audit trail)" : "OK",
            content: { "application/json": {}, ...(route.csv ? { "text/csv": {} } : {}) },
          },
          400: errorResponse,
          ...(route.public ? { 503: { description: "Not ready" } } : { 401: errorResponse, 403: errorResponse, 404: errorResponse, 429: errorResponse }),
        },
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: { title: "ewis API", version, description: "Early-warning risk lists and rollups. Student-level reads are scoped to the token and audited." },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } },
          required: ["error"],
        },
      },
    },
    paths: { ...paths, "/openapi.json": { get: { summary: "This document", security: [], responses: { 200: { description: "OK" } } } } },
  };
}
