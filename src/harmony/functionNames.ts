// Function names the model sees must be TypeScript identifiers (`type NAME = …`), but
// tools arrive with names like `mcp_github-create_issue` or `3d.render`. Each name is
// sanitised once and the mapping kept both ways, so a call can be mapped back.

export interface FunctionNames {
  /** Original tool name → the identifier rendered in `namespace functions`. */
  readonly toModel: ReadonlyMap<string, string>;
  /** Rendered identifier → original tool name. */
  readonly fromModel: ReadonlyMap<string, string>;
}

/** `[A-Za-z0-9_$]` only; others become `_`; a leading digit gets a `_` prefix (as Ollama does). */
export function sanitiseFunctionName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  if (cleaned === '') return '_';
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Names in order; a sanitised name already taken gets `_2`, `_3`, … */
export function functionNames(names: Iterable<string>): FunctionNames {
  const toModel = new Map<string, string>();
  const fromModel = new Map<string, string>();
  for (const name of names) {
    if (toModel.has(name)) continue;
    const base = sanitiseFunctionName(name);
    let candidate = base;
    for (let n = 2; fromModel.has(candidate); n++) candidate = `${base}_${n}`;
    toModel.set(name, candidate);
    fromModel.set(candidate, name);
  }
  return { toModel, fromModel };
}

/** The identifier for a name, sanitising names the map does not know (a tool no longer offered). */
export function modelFunctionName(names: FunctionNames, name: string): string {
  return names.toModel.get(name) ?? sanitiseFunctionName(name);
}
