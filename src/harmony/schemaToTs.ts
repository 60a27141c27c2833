// JSON Schema → the TypeScript type text of a `namespace functions` entry, after
// openai/harmony's `json_schema_to_typescript` (encoding.rs).
//
// Two styles. `harmony` is byte-identical to harmony, quirks included: the model was trained
// on that text. But harmony writes a description's later lines, property names, enum members
// and type names as they come, so a tool schema (tools come from MCP servers: untrusted) can
// close the comment or the type and declare a tool of its own. `safe` (the default) writes the
// same text for ordinary schemas, and for the rest: every line of a description, title,
// example or default is a comment, a property name that is not a plain identifier is quoted,
// enum members are JSON strings, and only JSON Schema's own type names are written.
import { HarmonyInputError } from './errors';

export type SchemaStyle = 'safe' | 'harmony';

/** Deeper schemas are refused: the text is built recursively, and no real tool nests this far. */
export const MAX_SCHEMA_DEPTH = 100;

type Json = unknown;

interface Writer {
  readonly style: SchemaStyle;
  readonly depth: number;
}

/** A schema field; absent when the schema is not an object (harmony's `Value::get`). */
function field(schema: Json, key: string): Json {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  return Object.prototype.hasOwnProperty.call(schema, key) ? (schema as Record<string, Json>)[key] : undefined;
}

function stringField(schema: Json, key: string): string | undefined {
  const value = field(schema, key);
  return typeof value === 'string' ? value : undefined;
}

function isEnum(schema: Json): boolean {
  const values = field(schema, 'enum');
  return Array.isArray(values) && values.length > 0;
}

function isNullable(schema: Json): boolean {
  return field(schema, 'nullable') === true;
}

/** serde_json's compact `Display` of a value. */
function json(value: Json): string {
  return JSON.stringify(value) ?? 'null';
}

/** Everything a reader (TypeScript, or a model) may take for a line break. */
const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/;
const RARE_LINE_BREAK = /[\r\u0085\u2028\u2029]/;
const HAS_LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

/** Text split at every line break (a split at `\n` alone, far cheaper, when it has no other kind). */
export function splitLines(text: string): string[] {
  return RARE_LINE_BREAK.test(text) ? text.split(LINE_BREAK) : text.split('\n');
}

/** Text as lines; in the harmony style, one line whatever it holds (harmony writes it raw). */
function lines(w: Writer, text: string): string[] {
  return w.style === 'harmony' ? [text] : splitLines(text);
}

/** `// text` on lines of their own. */
function commentLines(w: Writer, indent: string, text: string): string {
  if (w.style === 'harmony' || !HAS_LINE_BREAK.test(text)) return `${indent}// ${text}\n`;
  return lines(w, text)
    .map((line) => `${indent}// ${line}\n`)
    .join('');
}

/** ` // text` at the end of a line; later lines of the text are comments of their own. */
function trailingComment(w: Writer, indent: string, text: string): string {
  if (w.style === 'harmony' || !HAS_LINE_BREAK.test(text)) return ` // ${text}`;
  return ` // ${lines(w, text).join(`\n${indent}// `)}`;
}

/** A JSON string literal that no reader takes for more than one line. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyName(w: Writer, key: string): string {
  return w.style === 'harmony' || IDENTIFIER.test(key) ? key : quoted(key);
}

function enumMember(w: Writer, value: string): string {
  return w.style === 'harmony' ? `"${value}"` : quoted(value);
}

const SCHEMA_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

/**
 * The default comment of a property or of a property-level oneOf variant: a string
 * default is quoted unless the schema is an enum, any other value is compact JSON.
 */
function propertyDefault(schema: Json, value: Json): string {
  if (typeof value === 'string') return isEnum(schema) ? `default: ${value}` : `default: "${value}"`;
  return `default: ${json(value)}`;
}

/** In a schema-level oneOf, harmony only distinguishes "string without enum" from the rest. */
function variantDefault(schema: Json, value: Json): string {
  return typeof value === 'string' && !isEnum(schema) ? `default: "${value}"` : `default: ${json(value)}`;
}

function withNullable(schema: Json, type: string): string {
  return isNullable(schema) && !type.includes('null') ? `${type} | null` : type;
}

function schemaLevelOneOf(w: Writer, variants: readonly Json[], indent: string): string {
  let out = '';
  for (const variant of variants) {
    out += `\n${indent} | ${withNullable(variant, typeText(w, variant, `${indent}   `))}`;
    const comments: string[] = [];
    const description = stringField(variant, 'description');
    if (description !== undefined) comments.push(description);
    const defaultValue = field(variant, 'default');
    if (defaultValue !== undefined) comments.push(variantDefault(variant, defaultValue));
    if (comments.length > 0) out += trailingComment(w, indent, comments.join(' '));
  }
  return out;
}

function oneOfProperty(w: Writer, key: string, optional: string, property: Json, variants: readonly Json[], indent: string): string {
  let out = '';
  const propertyDescription = stringField(property, 'description');
  const firstVariantDescription = stringField(variants[0], 'description');
  const skipDescription = propertyDescription !== undefined && propertyDescription === firstVariantDescription;
  const descriptionAbove = !skipDescription && propertyDescription !== undefined;
  if (descriptionAbove) out += commentLines(w, indent, propertyDescription);
  const defaultValue = field(property, 'default');
  if (defaultValue !== undefined) out += commentLines(w, indent, propertyDefault(property, defaultValue));
  out += `${indent}${propertyName(w, key)}${optional}:\n`;
  variants.forEach((variant, i) => {
    out += `${indent} | ${withNullable(variant, typeText(w, variant, `${indent}   `))}`;
    const comments: string[] = [];
    const description = stringField(variant, 'description');
    if (!(i === 0 && descriptionAbove) && description !== undefined && description !== propertyDescription) {
      comments.push(description);
    }
    const variantDefaultValue = field(variant, 'default');
    if (variantDefaultValue !== undefined) comments.push(propertyDefault(variant, variantDefaultValue));
    if (comments.length > 0) out += trailingComment(w, indent, comments.join(' '));
    out += '\n';
  });
  return `${out}${indent},\n`;
}

function objectType(w: Writer, schema: Json, indent: string): string {
  let out = '';
  const description = stringField(schema, 'description');
  if (description !== undefined) out += commentLines(w, indent, description);
  out += '{\n';
  const properties = field(schema, 'properties');
  if (properties !== null && typeof properties === 'object' && !Array.isArray(properties)) {
    const requiredList = field(schema, 'required');
    const required = new Set(Array.isArray(requiredList) ? requiredList.filter((r) => typeof r === 'string') : []);
    for (const [key, property] of Object.entries(properties as Record<string, Json>)) {
      const optional = required.has(key) ? '' : '?';
      const title = stringField(property, 'title');
      if (title !== undefined) out += `${commentLines(w, indent, title)}${indent}//\n`;
      const oneOf = field(property, 'oneOf');
      if (oneOf === undefined) {
        const propertyDescription = stringField(property, 'description');
        if (propertyDescription !== undefined) out += commentLines(w, indent, propertyDescription);
      }
      const examples = field(property, 'examples');
      if (Array.isArray(examples) && examples.length > 0) {
        out += `${indent}// Examples:\n`;
        for (const example of examples) if (typeof example === 'string') out += commentLines(w, indent, `- "${example}"`);
      }
      if (Array.isArray(oneOf)) {
        out += oneOfProperty(w, key, optional, property, oneOf, indent);
        continue;
      }
      out += `${indent}${propertyName(w, key)}${optional}: ${withNullable(property, typeText(w, property, `${indent}    `))},`;
      const defaultValue = field(property, 'default');
      if (oneOf === undefined && defaultValue !== undefined) out += trailingComment(w, indent, propertyDefault(property, defaultValue));
      out += '\n';
    }
  }
  return `${out}${indent}}`;
}

function namedType(w: Writer, schema: Json, type: string, indent: string): string {
  switch (type) {
    case 'object':
      return objectType(w, schema, indent);
    case 'string': {
      const values = field(schema, 'enum');
      const members = Array.isArray(values) ? values.filter((v) => typeof v === 'string').map((v) => enumMember(w, v)) : [];
      return members.length > 0 ? members.join(' | ') : 'string';
    }
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = field(schema, 'items');
      return items === undefined ? 'Array<any>' : `${typeText(w, items, indent)}[]`;
    }
    default:
      return 'any';
  }
}

function typeText(parent: Writer, schema: Json, indent: string): string {
  const w: Writer = { style: parent.style, depth: parent.depth + 1 };
  if (w.depth > MAX_SCHEMA_DEPTH) throw new HarmonyInputError('', `the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels (the limit)`);
  const oneOf = field(schema, 'oneOf');
  if (Array.isArray(oneOf)) return schemaLevelOneOf(w, oneOf, indent);
  const type = field(schema, 'type');
  if (Array.isArray(type)) {
    const names = type.filter((t): t is string => typeof t === 'string' && (w.style === 'harmony' || SCHEMA_TYPES.has(t)));
    const members = names.map((t) => (t === 'integer' ? 'number' : t));
    if (members.length > 0) return members.join(' | ');
  }
  if (typeof type === 'string') return namedType(w, schema, type, indent);
  return 'any';
}

/** The TypeScript text of a schema; `indent` is harmony's own indentation argument. */
export function schemaToTypeScript(schema: Json, indent = '', style: SchemaStyle = 'safe'): string {
  return typeText({ style, depth: 0 }, schema, indent);
}
