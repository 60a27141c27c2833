// Timing helpers for benchmarks: medians over repetitions, interleaved by the caller.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds one call of `fn` takes. */
export function time(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs each function `reps` times, interleaved, and returns the median milliseconds of each. */
export function interleaved(fns: Record<string, () => unknown>, reps: number): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let r = 0; r < reps; r++) for (const [name, fn] of Object.entries(fns)) samples[name]!.push(time(fn));
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** Milliseconds of this process's CPU time per call of `fn`, over `calls` calls in a row. */
export function cpuTime(fn: () => unknown, calls: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls / 1000;
}

/** As `interleaved`, in CPU time per call (steady when other processes share the machine). */
export function interleavedCpu(fns: Record<string, () => unknown>, reps: number, calls: number): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let r = 0; r < reps; r++) for (const [name, fn] of Object.entries(fns)) samples[name]!.push(cpuTime(fn, calls));
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export function ms(value: number): string {
  return value < 1 ? `${(value * 1000).toFixed(1)} µs` : `${value.toFixed(2)} ms`;
}
