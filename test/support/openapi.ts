import { z } from 'zod';

/**
 * A validator for one JSON Schema of an OpenAPI document, its `#/components/schemas` refs
 * resolved: what a client generated from the document would check. zod's converter
 * rejects less than a full JSON Schema validator would, so tests use it to find
 * disagreements, next to the zod schemas themselves.
 */
export function jsonSchemaValidator(document: any, schema: unknown): z.ZodType {
  const rooted = JSON.stringify({ ...(schema as object), $defs: document.components.schemas });
  return z.fromJSONSchema(JSON.parse(rooted.replaceAll('#/components/schemas/', '#/$defs/')));
}
