// The text of system and developer messages, section by section as harmony writes it.
import { HarmonyInputError } from './errors';
import { sanitiseFunctionName } from './functionNames';
import { schemaToTypeScript, splitLines, type SchemaStyle } from './schemaToTs';
import type { DeveloperContent, SystemContent, ToolNamespace } from './types';

/** Rust's `str::lines`: split on `\n`, drop one trailing `\r` per line, no empty last line. */
export function rustLines(value: string): string[] {
  if (value === '') return [];
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** The lines of a description: harmony's split, or (safe) a split at every line break, a lone `\r` too. */
function descriptionLines(value: string, style: SchemaStyle): string[] {
  if (style === 'harmony') return rustLines(value);
  const lines = value === '' ? [] : splitLines(value);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** In the safe style, a name that is not an identifier cannot write past `type NAME =`. */
function toolName(name: string, style: SchemaStyle): string {
  return style === 'harmony' ? name : sanitiseFunctionName(name);
}

function toolType(tool: ToolNamespace['tools'][number], style: SchemaStyle): string {
  const name = toolName(tool.name, style);
  if (tool.parameters === undefined) return `type ${name} = () => any;\n`;
  try {
    return `type ${name} = (_: ${schemaToTypeScript(tool.parameters, '', style)}) => any;\n`;
  } catch (error) {
    if (error instanceof HarmonyInputError) throw new HarmonyInputError(`tool ${JSON.stringify(tool.name)}`, error.message);
    throw error;
  }
}

function namespaceSection(namespace: ToolNamespace, style: SchemaStyle): string {
  const lines = [`## ${namespace.name}\n`];
  const hasTools = namespace.tools.length > 0;
  for (const line of descriptionLines(namespace.description ?? '', style)) lines.push(hasTools ? `// ${line}` : line);
  if (hasTools) {
    lines.push(`namespace ${namespace.name} {\n`);
    for (const tool of namespace.tools) {
      for (const line of descriptionLines(tool.description, style)) lines.push(`// ${line}`);
      lines.push(toolType(tool, style));
    }
    lines.push(`} // namespace ${namespace.name}`);
  }
  return lines.join('\n');
}

/** `# Tools` and one section per namespace, in name order (harmony keeps them in a BTreeMap). */
export function toolsSection(namespaces: readonly ToolNamespace[], style: SchemaStyle = 'safe'): string {
  const sorted = [...namespaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ['# Tools', ...sorted.map((namespace) => namespaceSection(namespace, style))].join('\n\n');
}

export function systemText(system: SystemContent, conversationHasFunctionTools: boolean, style: SchemaStyle = 'safe'): string {
  const sections: string[] = [];
  const top: string[] = [];
  if (system.modelIdentity !== undefined) top.push(system.modelIdentity);
  if (system.knowledgeCutoff !== undefined) top.push(`Knowledge cutoff: ${system.knowledgeCutoff}`);
  if (system.conversationStartDate !== undefined) top.push(`Current date: ${system.conversationStartDate}`);
  if (top.length > 0) sections.push(top.join('\n'));
  if (system.reasoningEffort !== undefined) sections.push(`Reasoning: ${system.reasoningEffort}`);
  if (system.tools !== undefined && system.tools.length > 0) sections.push(toolsSection(system.tools, style));
  const channels = system.channelConfig;
  if (channels !== undefined && channels.validChannels.length > 0) {
    let header = `# Valid channels: ${channels.validChannels.join(', ')}.`;
    if (channels.channelRequired) header += ' Channel must be included for every message.';
    if (conversationHasFunctionTools) header += "\nCalls to these tools must go to the commentary channel: 'functions'.";
    sections.push(header);
  }
  return sections.join('\n\n');
}

export function developerText(developer: DeveloperContent, style: SchemaStyle = 'safe'): string {
  const sections: string[] = [];
  if (developer.instructions !== undefined) sections.push('# Instructions', developer.instructions);
  if (developer.tools !== undefined && developer.tools.length > 0) sections.push(toolsSection(developer.tools, style));
  return sections.join('\n\n');
}
