// The text of system and developer messages, section by section as harmony writes it.
import { schemaToTypeScript } from './schemaToTs';
import type { DeveloperContent, SystemContent, ToolNamespace } from './types';

/** Rust's `str::lines`: split on `\n`, drop one trailing `\r` per line, no empty last line. */
export function rustLines(value: string): string[] {
  if (value === '') return [];
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

function namespaceSection(namespace: ToolNamespace): string {
  const lines = [`## ${namespace.name}\n`];
  const hasTools = namespace.tools.length > 0;
  for (const line of rustLines(namespace.description ?? '')) lines.push(hasTools ? `// ${line}` : line);
  if (hasTools) {
    lines.push(`namespace ${namespace.name} {\n`);
    for (const tool of namespace.tools) {
      for (const line of rustLines(tool.description)) lines.push(`// ${line}`);
      lines.push(
        tool.parameters === undefined
          ? `type ${tool.name} = () => any;\n`
          : `type ${tool.name} = (_: ${schemaToTypeScript(tool.parameters)}) => any;\n`,
      );
    }
    lines.push(`} // namespace ${namespace.name}`);
  }
  return lines.join('\n');
}

/** `# Tools` and one section per namespace, in name order (harmony keeps them in a BTreeMap). */
export function toolsSection(namespaces: readonly ToolNamespace[]): string {
  const sorted = [...namespaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ['# Tools', ...sorted.map(namespaceSection)].join('\n\n');
}

export function systemText(system: SystemContent, conversationHasFunctionTools: boolean): string {
  const sections: string[] = [];
  const top: string[] = [];
  if (system.modelIdentity !== undefined) top.push(system.modelIdentity);
  if (system.knowledgeCutoff !== undefined) top.push(`Knowledge cutoff: ${system.knowledgeCutoff}`);
  if (system.conversationStartDate !== undefined) top.push(`Current date: ${system.conversationStartDate}`);
  if (top.length > 0) sections.push(top.join('\n'));
  if (system.reasoningEffort !== undefined) sections.push(`Reasoning: ${system.reasoningEffort}`);
  if (system.tools !== undefined && system.tools.length > 0) sections.push(toolsSection(system.tools));
  const channels = system.channelConfig;
  if (channels !== undefined && channels.validChannels.length > 0) {
    let header = `# Valid channels: ${channels.validChannels.join(', ')}.`;
    if (channels.channelRequired) header += ' Channel must be included for every message.';
    if (conversationHasFunctionTools) header += "\nCalls to these tools must go to the commentary channel: 'functions'.";
    sections.push(header);
  }
  return sections.join('\n\n');
}

export function developerText(developer: DeveloperContent): string {
  const sections: string[] = [];
  if (developer.instructions !== undefined) sections.push('# Instructions', developer.instructions);
  if (developer.tools !== undefined && developer.tools.length > 0) sections.push(toolsSection(developer.tools));
  return sections.join('\n\n');
}
