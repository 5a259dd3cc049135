/**
 * Why `text` cannot be a node's public base URL, or null when it can. A membership record's
 * `host` is where peers redirect clients and fetch from, so only a plain `http(s)://host[:port]`
 * is taken: no credentials (they would leak into every redirect), no path, query or fragment
 * (a record could otherwise steer peers' fetches to another route or a URL of its choosing).
 */
export function hostUrlProblem(text: unknown): string | null {
  if (typeof text !== 'string' || text.length === 0) return 'is empty';
  if (text.length > 512) return 'is longer than 512 characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `has scheme ${url.protocol}, not http(s)`;
  if (url.username || url.password) return 'carries credentials';
  if (url.search || text.includes('?')) return 'has a query';
  if (url.hash || text.includes('#')) return 'has a fragment';
  if (url.pathname !== '/' || text.endsWith('/')) return 'has a path (give only scheme, host and port)';
  if (!url.hostname) return 'has no host';
  return null;
}
