import AjvCore from 'ajv/dist/core';
import { ArgumentValidator } from '../../../../mcp/gateway/arguments';
import { InvalidArgumentsError, ToolSchemaError } from '../../../../mcp/gateway/errors';
import type { DownstreamTool } from '../../../../mcp/gateway/tools';

/** A tool with this inputSchema; draft-07 as server-filesystem and server-everything declare theirs. */
function tool(inputSchema: Record<string, unknown>, name = 'mcp.files.edit_file'): DownstreamTool {
  return { name, server: 'files', tool: name.split('.').slice(2).join('.'), inputSchema: { type: 'object', ...inputSchema } };
}

/** server-filesystem's edit_file schema, as it lists it. */
const EDIT_FILE = tool({
  properties: {
    path: { type: 'string' },
    edits: {
      type: 'array',
      items: {
        type: 'object',
        properties: { oldText: { type: 'string' }, newText: { type: 'string' } },
        required: ['oldText', 'newText'],
        additionalProperties: false,
      },
    },
    dryRun: { default: false, type: 'boolean' },
  },
  required: ['path', 'edits'],
  additionalProperties: false,
  $schema: 'http://json-schema.org/draft-07/schema#',
});

function issuesOf(validator: ArgumentValidator, target: DownstreamTool, args: unknown): string[] {
  try {
    validator.validate(target, args);
  } catch (err) {
    if (err instanceof InvalidArgumentsError) return err.issues;
    throw err;
  }
  throw new Error('the arguments were accepted');
}

describe('ArgumentValidator', () => {
  test('accepts matching arguments and returns them unchanged: no defaults filled in, no coercion', () => {
    const validator = new ArgumentValidator();
    const args = { path: '/srv/a.txt', edits: [{ oldText: 'a', newText: 'b' }] };
    const copy = structuredClone(args);
    expect(validator.validate(EDIT_FILE, args)).toBe(args);
    expect(args).toEqual(copy); // dryRun's default is not added: what is reviewed is what is sent
    expect(issuesOf(validator, tool({ properties: { n: { type: 'number' } } }), { n: '5' })).toEqual(['arguments.n: must be number']);
  });

  test('each problem is one `path: message` line, with list indexes and unknown fields named', () => {
    const validator = new ArgumentValidator();
    expect(issuesOf(validator, EDIT_FILE, { edits: [{ oldText: 'a', newText: 'b' }, { oldText: 1 }], extra: true })).toEqual([
      'arguments.path: required',
      'arguments.extra: unknown field',
      'arguments.edits[1].newText: required',
      'arguments.edits[1].oldText: must be string',
    ]);
  });

  test('the error names the tool and lists the issues, like the catalogue InvalidParamsError', () => {
    const validator = new ArgumentValidator();
    let caught: unknown;
    try {
      validator.validate(EDIT_FILE, { path: 1, edits: [] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentsError);
    expect(caught).toMatchObject({ name: 'InvalidArgumentsError', code: 'invalid_arguments', tool: 'mcp.files.edit_file' });
    expect((caught as Error).message).toBe('invalid arguments for mcp.files.edit_file: arguments.path: must be string');
  });

  test('enums, formats (ajv-formats) and odd keys', () => {
    const validator = new ArgumentValidator();
    const target = tool({
      properties: {
        sortBy: { type: 'string', enum: ['name', 'size'] },
        url: { type: 'string', format: 'uri' },
        'tags.env': { type: 'string', maxLength: 3 },
      },
    });
    expect(issuesOf(validator, target, { sortBy: 'date', url: 'not a uri', 'tags.env': 'production' })).toEqual([
      'arguments.sortBy: must be one of "name", "size"',
      'arguments.url: must match format "uri"',
      'arguments["tags.env"]: must NOT have more than 3 characters',
    ]);
    expect(validator.validate(target, { sortBy: 'size', url: 'https://example.com/x', 'tags.env': 'dev' })).toBeDefined();
  });

  test('arguments must be an object; none at all is an empty object', () => {
    const validator = new ArgumentValidator();
    for (const bad of [null, [], 'x', 3]) expect(issuesOf(validator, EDIT_FILE, bad)).toEqual(['arguments: must be an object']);
    const noArgs = tool({ properties: {} }, 'mcp.files.list_allowed_directories');
    expect(validator.validate(noArgs, undefined)).toEqual({});
    expect(issuesOf(validator, EDIT_FILE, undefined)).toEqual(['arguments.path: required', 'arguments.edits: required']);
  });

  test('the draft follows $schema: 2020-12 prefixItems and 2019-09 dependentRequired are enforced', () => {
    const validator = new ArgumentValidator();
    const tuple = { properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } } };
    const as2020 = tool({ ...tuple, $schema: 'https://json-schema.org/draft/2020-12/schema' });
    expect(issuesOf(validator, as2020, { pair: ['a', 'b'] })).toEqual(['arguments.pair[1]: must be number']);
    // The same schema read as draft-07 does not know prefixItems: the difference shows the draft was chosen.
    expect(validator.validate(tool(tuple), { pair: ['a', 'b'] })).toBeDefined();
    const as2019 = tool({ dependentRequired: { card: ['expiry'] }, $schema: 'https://json-schema.org/draft/2019-09/schema#' });
    expect(issuesOf(validator, as2019, { card: '4111' })).toEqual(['arguments: must have property expiry when property card is present']);
  });

  test('a schema that cannot be used is a ToolSchemaError: the call is refused, not passed unchecked', () => {
    const validator = new ArgumentValidator();
    expect(() => validator.validate(tool({ $schema: 'http://json-schema.org/draft-04/schema#' }), {})).toThrow(ToolSchemaError);
    expect(() => validator.validate(tool({ $schema: 'http://json-schema.org/draft-04/schema#' }), {})).toThrow(
      /^the inputSchema of mcp\.files\.edit_file cannot be used: unsupported \$schema "http:\/\/json-schema\.org\/draft-04\/schema#"/,
    );
    expect(() => validator.validate(tool({ properties: { a: { type: 'text' } } }), {})).toThrow(ToolSchemaError);
    expect(() => validator.validate(tool({ properties: { a: { $ref: 'https://elsewhere.example/schema.json' } } }), {})).toThrow(ToolSchemaError);
  });

  test('two tools with the same $id and different schemas do not clash', () => {
    const validator = new ArgumentValidator();
    const a = tool({ $id: 'https://example.com/args.json', properties: { x: { type: 'string' } } }, 'mcp.a.t');
    const b = tool({ $id: 'https://example.com/args.json', properties: { x: { type: 'number' } } }, 'mcp.b.t');
    expect(validator.validate(a, { x: 's' })).toBeDefined();
    expect(validator.validate(b, { x: 1 })).toBeDefined();
    expect(issuesOf(validator, b, { x: 's' })).toEqual(['arguments.x: must be number']);
  });

  test('each schema is compiled once, however many calls', () => {
    const compile = jest.spyOn(AjvCore.prototype, 'compile');
    try {
      const validator = new ArgumentValidator();
      for (let i = 0; i < 5; i++) validator.validate(EDIT_FILE, { path: `/p${i}`, edits: [] });
      expect(() => validator.validate(EDIT_FILE, { edits: [] })).toThrow(InvalidArgumentsError);
      expect(compile).toHaveBeenCalledTimes(1);
      // A relisted tool brings a new schema object: compiled afresh.
      validator.validate({ ...EDIT_FILE, inputSchema: structuredClone(EDIT_FILE.inputSchema) }, { path: '/p', edits: [] });
      expect(compile).toHaveBeenCalledTimes(2);
    } finally {
      compile.mockRestore();
    }
  });
});
