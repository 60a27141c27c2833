export async function run(argv: string[]): Promise<number> {
  process.stderr.write(`harmony: unknown command ${argv[0] ?? ''}\n`);
  return 2;
}
