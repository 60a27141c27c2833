// JSON Schema → the TypeScript type text of a `namespace functions` entry, exactly as
// openai/harmony's `json_schema_to_typescript` writes it (encoding.rs), quirks included:
// the model was trained on that text, so every space and comment is kept as harmony has it.

type Json = unknown;

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

function schemaLevelOneOf(variants: readonly Json[], indent: string): string {
  let out = '';
  for (const variant of variants) {
    out += `\n${indent} | ${withNullable(variant, schemaToTypeScript(variant, `${indent}   `))}`;
    const comments: string[] = [];
    const description = stringField(variant, 'description');
    if (description !== undefined) comments.push(description);
    const defaultValue = field(variant, 'default');
    if (defaultValue !== undefined) comments.push(variantDefault(variant, defaultValue));
    if (comments.length > 0) out += ` // ${comments.join(' ')}`;
  }
  return out;
}

function oneOfProperty(key: string, optional: string, property: Json, variants: readonly Json[], indent: string): string {
  let out = '';
  const propertyDescription = stringField(property, 'description');
  const firstVariantDescription = stringField(variants[0], 'description');
  const skipDescription = propertyDescription !== undefined && propertyDescription === firstVariantDescription;
  const descriptionAbove = !skipDescription && propertyDescription !== undefined;
  if (descriptionAbove) out += `${indent}// ${propertyDescription}\n`;
  const defaultValue = field(property, 'default');
  if (defaultValue !== undefined) out += `${indent}// ${propertyDefault(property, defaultValue)}\n`;
  out += `${indent}${key}${optional}:\n`;
  variants.forEach((variant, i) => {
    out += `${indent} | ${withNullable(variant, schemaToTypeScript(variant, `${indent}   `))}`;
    const comments: string[] = [];
    const description = stringField(variant, 'description');
    if (!(i === 0 && descriptionAbove) && description !== undefined && description !== propertyDescription) {
      comments.push(description);
    }
    const variantDefaultValue = field(variant, 'default');
    if (variantDefaultValue !== undefined) comments.push(propertyDefault(variant, variantDefaultValue));
    if (comments.length > 0) out += ` // ${comments.join(' ')}`;
    out += '\n';
  });
  return `${out}${indent},\n`;
}

function objectType(schema: Json, indent: string): string {
  let out = '';
  const description = stringField(schema, 'description');
  if (description !== undefined) out += `${indent}// ${description}\n`;
  out += '{\n';
  const properties = field(schema, 'properties');
  if (properties !== null && typeof properties === 'object' && !Array.isArray(properties)) {
    const requiredList = field(schema, 'required');
    const required = new Set(Array.isArray(requiredList) ? requiredList.filter((r) => typeof r === 'string') : []);
    for (const [key, property] of Object.entries(properties as Record<string, Json>)) {
      const optional = required.has(key) ? '' : '?';
      const title = stringField(property, 'title');
      if (title !== undefined) out += `${indent}// ${title}\n${indent}//\n`;
      const oneOf = field(property, 'oneOf');
      if (oneOf === undefined) {
        const propertyDescription = stringField(property, 'description');
        if (propertyDescription !== undefined) out += `${indent}// ${propertyDescription}\n`;
      }
      const examples = field(property, 'examples');
      if (Array.isArray(examples) && examples.length > 0) {
        out += `${indent}// Examples:\n`;
        for (const example of examples) if (typeof example === 'string') out += `${indent}// - "${example}"\n`;
      }
      if (Array.isArray(oneOf)) {
        out += oneOfProperty(key, optional, property, oneOf, indent);
        continue;
      }
      out += `${indent}${key}${optional}: ${withNullable(property, schemaToTypeScript(property, `${indent}    `))},`;
      const defaultValue = field(property, 'default');
      if (oneOf === undefined && defaultValue !== undefined) out += ` // ${propertyDefault(property, defaultValue)}`;
      out += '\n';
    }
  }
  return `${out}${indent}}`;
}

function namedType(schema: Json, type: string, indent: string): string {
  switch (type) {
    case 'object':
      return objectType(schema, indent);
    case 'string': {
      const values = field(schema, 'enum');
      const members = Array.isArray(values) ? values.filter((v) => typeof v === 'string').map((v) => `"${v}"`) : [];
      return members.length > 0 ? members.join(' | ') : 'string';
    }
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = field(schema, 'items');
      return items === undefined ? 'Array<any>' : `${schemaToTypeScript(items, indent)}[]`;
    }
    default:
      return 'any';
  }
}

/** The TypeScript text harmony writes for a schema; `indent` is harmony's own indentation argument. */
export function schemaToTypeScript(schema: Json, indent = ''): string {
  const oneOf = field(schema, 'oneOf');
  if (Array.isArray(oneOf)) return schemaLevelOneOf(oneOf, indent);
  const type = field(schema, 'type');
  if (Array.isArray(type)) {
    const members = type.filter((t) => typeof t === 'string').map((t) => (t === 'integer' ? 'number' : t));
    if (members.length > 0) return members.join(' | ');
  }
  if (typeof type === 'string') return namedType(schema, type, indent);
  return 'any';
}
