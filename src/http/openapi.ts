import { z } from "zod";
import { apiSchemas } from "./responses.ts";
import type { RouteSpec } from "./routes.ts";

/** `/students/:id` → `/students/{id}` */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, "{$1}");

const ref = (schema: z.ZodType) => {
  const id = apiSchemas.get(schema)?.id;
  if (!id) throw new Error("a route's response schema is not named in apiSchemas");
  return { $ref: `#/components/schemas/${id}` };
};

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

/** The named response schemas as JSON Schema 2020-12 (what OpenAPI 3.1 speaks), referring to each other. */
function componentSchemas(): Record<string, object> {
  const { schemas } = z.toJSONSchema(apiSchemas, { uri: (id) => `#/components/schemas/${id}`, io: "output" }) as { schemas: Record<string, Record<string, unknown>> };
  // A component is not a document of its own: no dialect or id of its own.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]));
}

function parameters(schema: z.ZodType | undefined, where: "query" | "path") {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: s }));
}

/** The OpenAPI 3.1 document, written from the same route table that wires Express and the zod schemas that type it. */
export function openApiDocument(routes: readonly RouteSpec[], version: string) {
  const paths: Record<string, object> = {};
  for (const route of routes) {
    const method = route.method ?? "get";
    paths[openApiPath(route.path)] = {
      ...paths[openApiPath(route.path)],
      [method]: {
        summary: route.summary,
        ...(route.body
          ? { requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(route.body, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) } } } }
          : {}),
        security: route.public ? [] : [{ bearer: [] }],
        parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
        responses: {
          [route.creates ? 201 : 200]: {
            description: route.creates ? "Created (written to the audit trail)" : route.studentLevel ? "OK (student-level: the read is written to the audit trail)" : "OK",
            content: {
              ...(route.csvOnly ? {} : { "application/json": { schema: ref(route.response) } }),
              ...(route.csv ? { "text/csv": { schema: { type: "string", description: route.csvOnly ? "the export, one row each" : "the whole list, one row per student and milestone; the term in the Ewis-Term headers" } } } : {}),
            },
          },
          400: errorResponse(route.body ? "A parameter or a field of the body is unknown or malformed" : "A parameter is unknown or malformed"),
          ...(route.public
            ? { 503: { description: "No term is published yet", content: { "application/json": { schema: ref(route.response) } } } }
            : {
                401: errorResponse("No token, or one that is not accepted"),
                403: errorResponse(method === "get" ? "The role may not read this" : "The role may not read this, or a signed-in request came without its CSRF token (X-CSRF-Token)"),
                404: errorResponse("Not found, or outside the caller's scope"),
                429: errorResponse("Too many requests"),
                ...(method === "post" && route.path.startsWith("/plans/") ? { 409: errorResponse("The plan changed since the version given, or it has ended: read it again") } : {}),
              }),
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "ewis API", version, description: "Early-warning risk lists and rollups. Student-level reads are scoped to the token and audited." },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: componentSchemas(),
    },
    paths: {
      ...paths,
      "/openapi.json": { get: { summary: "This document", security: [], responses: { 200: { description: "OK", content: { "application/json": { schema: { type: "object" } } } } } } },
    },
  };
}
