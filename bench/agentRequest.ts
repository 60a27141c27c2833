// A chat request shaped like VS Code agent mode's: 36 tools with descriptions and
// schemas of the size the built-in agent tools have (≈35 KB rendered), a system prompt,
// and a short tool loop. Deterministic, so runs compare.
const TOOL_NAMES = [
  'apply_patch', 'create_directory', 'create_file', 'create_new_jupyter_notebook', 'create_new_workspace', 'edit_notebook_file',
  'file_search', 'grep_search', 'get_errors', 'copilot_getNotebookSummary', 'get_vscode_api', 'github_repo', 'github_text_search',
  'install_extension', 'list_dir', 'memory', 'read_file', 'read_notebook_cell_output', 'resolve_memory_file_uri', 'run_notebook_cell',
  'run_vscode_command', 'view_image', 'vscode_askQuestions', 'vscode_listCodeUsages', 'vscode_renameSymbol', 'create_and_run_task',
  'get_task_output', 'get_terminal_output', 'kill_terminal', 'manage_todo_list', 'run_in_terminal', 'runSubagent', 'send_to_terminal',
  'terminal_last_command', 'terminal_selection', 'testFailure',
];

const SENTENCES = [
  'Use this tool when the user asks about the workspace and the answer depends on the current contents of files.',
  'Paths must be absolute; relative paths are resolved against the first workspace folder and may be rejected.',
  'Prefer reading larger ranges at once over many small reads, because each call adds latency to the agent loop.',
  'The result is returned as plain text and may be truncated when it is longer than the configured limit.',
  'Never call this tool in parallel with an edit to the same file; wait for the edit to finish first.',
  'If the operation fails, the error message explains why, and the call can be retried with corrected input.',
  'Line numbers are 1-based and inclusive. Use `startLine` and `endLine` to select a range.',
  'Do not use this tool to run commands that wait for input; use a background terminal instead.',
];

function description(i: number): string {
  const count = 3 + (i % 4);
  return Array.from({ length: count }, (_, k) => SENTENCES[(i + k) % SENTENCES.length]).join('\n');
}

function parameters(i: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    filePath: { type: 'string', description: 'The absolute path of the file or folder this call is about.' },
    explanation: { type: 'string', description: 'A one-sentence explanation of why this tool is being used, shown to the user.' },
  };
  if (i % 2 === 0) properties.startLine = { type: 'number', description: 'The line number to start at, 1-based.' };
  if (i % 2 === 0) properties.endLine = { type: 'number', description: 'The inclusive line number to end at, 1-based.' };
  if (i % 3 === 0) properties.mode = { type: 'string', enum: ['sync', 'async', 'background'], default: 'sync', description: 'How the command runs.' };
  if (i % 4 === 0) {
    properties.edits = {
      type: 'array',
      description: 'The edits to apply, in order.',
      items: { type: 'object', properties: { oldString: { type: 'string' }, newString: { type: 'string' } }, required: ['oldString', 'newString'] },
    };
  }
  if (i % 5 === 0) properties.options = { type: 'object', description: 'Extra options.', properties: { caseSensitive: { type: 'boolean', default: false }, maxResults: { type: 'integer', default: 20 } } };
  return { type: 'object', properties, required: ['filePath'] };
}

export const AGENT_SYSTEM_PROMPT = Array.from(
  { length: 40 },
  (_, i) => `Rule ${i + 1}: ${SENTENCES[i % SENTENCES.length]} Keep answers short and cite files with backticks.`,
).join('\n');

export function agentRequest(): Record<string, unknown> {
  return {
    reasoning_effort: 'medium',
    messages: [
      { role: 'system', content: AGENT_SYSTEM_PROMPT },
      { role: 'user', content: '<environment_info>OS: Linux. Workspace: /work/app.</environment_info>' },
      { role: 'user', content: '<context>The user has src/app.ts open.</context><userRequest>Rename greet to hello everywhere.</userRequest>' },
      {
        role: 'assistant',
        reasoning_content: 'I need to find usages of greet first.',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'grep_search', arguments: '{"filePath":"/work/app","explanation":"find greet"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'src/app.ts:1: export function greet() {}\nsrc/main.ts:3: greet();' },
    ],
    tools: TOOL_NAMES.map((name, i) => ({ type: 'function', function: { name, description: description(i), parameters: parameters(i) } })),
  };
}
