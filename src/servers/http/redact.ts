// Secret redaction, in one place with one behaviour for everything we print: error
// messages, log lines (the transports' and the VS Code log channel), server text we quote,
// and the CLI's output. Every configured key and every header value taken from secret storage
// is cut out whatever its length, and so is whatever follows an `Authorization:`/`Bearer`/
// `api_key=`/`X-Api-Key:`/`Client-Secret:`/`…-Token:` label (a secret we were not told about),
// the scheme word (`Basic`, `Bearer`, `Token`) kept so the reader still sees what kind it was.

export const REDACTED = '[redacted]';

const LABELLED_SECRET = /(authorization|api[-_]?key|client[-_]?secret|[a-z]+[-_]token|bearer)(["':=\s]+)((?:bearer|basic|token|apikey)\s+)?[^\s"',}]+/gi;

/** `text` without any of `secrets` (longest first, so a key inside another goes with it) and without labelled tokens. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const keys = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s !== ''))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const key of keys) if (out.includes(key)) out = out.split(key).join(REDACTED);
  return out.replace(LABELLED_SECRET, (_, label: string, separator: string, scheme: string | undefined) => `${label}${separator}${scheme ?? ''}${REDACTED}`);
}

/** Any logger (levels → functions of one string) whose every line is redacted first. */
export function redactingLogger<L extends { [Level in keyof L]: (message: string) => void }>(logger: L, secrets: () => Iterable<string | undefined>): L {
  const wrapped = {} as L;
  for (const level of Object.keys(logger) as (keyof L)[]) {
    const write = logger[level];
    if (typeof write !== 'function') continue;
    wrapped[level] = ((message: string) => write.call(logger, redactSecrets(message, secrets()))) as L[keyof L];
  }
  return wrapped;
}
