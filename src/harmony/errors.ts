// Errors for bad input to the renderer. Model output never throws (the parser recovers).

/** Input that cannot be rendered; `path` names the field (`messages[3].tool_call_id`). */
export class HarmonyInputError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'HarmonyInputError';
  }
}
