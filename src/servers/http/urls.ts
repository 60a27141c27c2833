// URLs as people type them: `localhost:8080` and `proxy:3128` are taken with a default scheme.

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `text` as an absolute URL: unchanged when it names a scheme, else with `scheme://` in front. */
export function withScheme(text: string, scheme: 'http' | 'https'): string {
  return HAS_SCHEME.test(text) ? text : `${scheme}://${text}`;
}
