import { z } from 'zod';
import type { JsonSchema } from './types';

/** Which side of a zod schema to describe: what a client sends (before transforms and defaults), or what the API answers. */
export type Io = 'input' | 'output';

const COMPONENTS = '#/components/schemas/';

/** A `$ref` to a component of this document. */
export function componentRef(id: string): { $ref: string } {
  return { $ref: `${COMPONENTS}${id}` };
}

/**
 * Named zod schemas that become `components.schemas`, converted together to JSON Schema 2020-12
 * (the dialect of OpenAPI 3.1): a named schema used inside another becomes a `$ref` to its component.
 */
export class ComponentSet {
  private readonly registry = z.registry<{ id: string }>();
  private readonly notes = new Map<string, { title?: string; description?: string }>();

  constructor(private readonly io: Io) {}

  /** Names `schema`; returns it, so a definition can register itself where it is written. */
  add<T extends z.core.$ZodType>(id: string, schema: T, notes: { title?: string; description?: string } = {}): T {
    if (this.notes.has(id)) throw new Error(`two components named ${id}`);
    this.registry.add(schema, { id });
    this.notes.set(id, notes);
    return schema;
  }

  toJsonSchemas(): Record<string, JsonSchema> {
    const { schemas } = z.toJSONSchema(this.registry, {
      target: 'draft-2020-12',
      io: this.io,
      uri: (id) => `${COMPONENTS}${id}`,
      override: (ctx) => documentCheckedUnknown(ctx, this.io),
    });
    // zod puts recursive schemas that have no id under `__shared`, referenced as `…/__shared#/$defs/…`,
    // which is no valid reference in an OpenAPI document: such a schema must be named here.
    if ('__shared' in schemas) {
      const anonymous = Object.keys(schemas.__shared?.$defs ?? {}).join(', ');
      throw new Error(`recursive schemas without a name (${anonymous}): add each to the component set`);
    }
    const out: Record<string, JsonSchema> = {};
    for (const [id, schema] of Object.entries(schemas)) {
      // A component is a plain schema of the document: its dialect is the document's, its location its name.
      const { $schema: _dialect, $id: _id, ...rest } = schema;
      out[id] = { ...rest, ...this.notes.get(id) };
    }
    return out;
  }
}

/** One self-contained schema, inlined where OpenAPI wants one (a parameter, a header). */
export function inlineSchema(schema: z.core.$ZodType, io: Io): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    override: (ctx) => documentCheckedUnknown(ctx, io),
  });
  if (rest.$defs || rest.$ref) throw new Error('an inline schema must not refer to definitions: make it a component');
  return rest;
}

/**
 * `z.unknown().refine(…).pipe(schema)` accepts anything on its input side, so zod describes it as `{}`.
 * What it really accepts is what `schema` accepts (the refinements only narrow it further), which is
 * what a client needs to read.
 */
function documentCheckedUnknown(ctx: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }, io: Io): void {
  if (io !== 'input' || !(ctx.zodSchema instanceof z.core.$ZodPipe)) return;
  const pipe = ctx.zodSchema as z.core.$ZodPipe;
  const inputType = pipe._zod.def.in._zod.def.type;
  if (inputType !== 'unknown' && inputType !== 'any') return;
  Object.assign(ctx.jsonSchema, inlineSchema(pipe._zod.def.out, io));
}
