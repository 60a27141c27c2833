// Untrusted JSON (requests, tool schemas, server bodies) is read through these checks.

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * How deeply arrays and objects nest in a JSON value, counted without recursion and up to
 * `limit + 1` (so a hostile 10,000-deep value costs no more than a limit-deep one).
 */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  // Two parallel stacks: no pair allocated per value (this runs on every tool of every request).
  const items: object[] = [];
  const depths: number[] = [];
  if (value !== null && typeof value === 'object') {
    items.push(value);
    depths.push(1);
  }
  while (items.length > 0) {
    const item = items.pop()!;
    const depth = depths.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child === null || typeof child !== 'object') continue;
      items.push(child as object);
      depths.push(depth + 1);
    }
  }
  return deepest;
}
