import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../errors';

/**
 * `storage_driver_url` forms (DESIGN §6; the query options follow gocloud.dev's blob URLs, which
 * the 2023 node used, so existing settings keep working). Every malformed form gets its own
 * one-line BAD_CONFIG message: a node that cannot store must say exactly why at start-up.
 */
export const DEFAULT_STORAGE_URL = 'file:///tmp/audius_storage';

export interface FileUrl {
  scheme: 'file';
  /** Absolute directory. */
  root: string;
}

export interface S3Url {
  scheme: 's3';
  bucket: string;
  /** From the URL, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 when an endpoint is set. */
  region: string;
  /** Full endpoint URL (`http://127.0.0.1:4566`) for LocalStack and other S3-compatible servers. */
  endpoint?: string;
  forcePathStyle: boolean;
}

export interface GcsUrl {
  scheme: 'gcs';
  bucket: string;
}

export interface AzureUrl {
  scheme: 'azblob';
  container: string;
}

export type BlobUrl = FileUrl | S3Url | GcsUrl | AzureUrl;

const FORMS = 'file:///dir, s3://bucket?region=…, gcs://bucket (gs://) or azblob://container';

function bad(message: string): never {
  throw new StorageError('BAD_CONFIG', `storage_driver_url: ${message}`);
}

/** Parses and validates a store URL; `env` supplies defaults (the AWS region). */
export function parseBlobUrl(text: string, env: NodeJS.ProcessEnv = process.env): BlobUrl {
  if (typeof text !== 'string' || text.trim() === '') bad(`empty; expected ${FORMS}`);
  if (text !== text.trim()) bad(`${JSON.stringify(text)} has leading or trailing spaces`);
  const url = URL.canParse(text)
    ? new URL(text)
    : bad(`${JSON.stringify(text)} is not a URL; expected ${FORMS}`);
  if (url.username || url.password) {
    bad(
      `credentials in the URL are not accepted (they would leak into logs); use the cloud's environment variables`,
    );
  }
  if (url.hash) bad(`${JSON.stringify(text)} has a #fragment; remove it`);
  switch (url.protocol) {
    case 'file:':
      return parseFile(text, url);
    case 's3:':
      return parseS3(url, env);
    case 'gcs:':
    case 'gs:':
      return { scheme: 'gcs', bucket: bucketName(url, 'gcs', GCS_BUCKET) };
    case 'azblob:':
      return { scheme: 'azblob', container: bucketName(url, 'azblob', AZURE_CONTAINER) };
    default:
      return bad(`unknown scheme "${url.protocol}" in ${JSON.stringify(text)}; expected ${FORMS}`);
  }
}

function parseFile(text: string, url: URL): FileUrl {
  if (!text.startsWith('file://'))
    bad(`${JSON.stringify(text)}: write file URLs with an absolute path, file:///dir`);
  if (url.host !== '' && url.host !== 'localhost') {
    bad(
      `${JSON.stringify(text)} names host "${url.host}"; an absolute directory needs three slashes: file:///${url.host}${url.pathname}`,
    );
  }
  if (url.search) bad(`file:// takes no options, got "${url.search}"`);
  let root: string;
  try {
    root = path.resolve(fileURLToPath(`file://${url.pathname}`));
  } catch (err) {
    return bad(`${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  if (root === path.parse(root).root)
    bad(`refusing to use the file system root "${root}" as the store directory`);
  return { scheme: 'file', root };
}

// Names as each cloud documents them (checked here so a typo is a clear start-up error).
const S3_BUCKET = {
  re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  rule: '3-63 of a-z 0-9 . -, starting and ending with a letter or digit',
};
const GCS_BUCKET = {
  re: /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/,
  rule: '3-63 (222 with dots) of a-z 0-9 - _ ., starting and ending with a letter or digit',
};
const AZURE_CONTAINER = {
  re: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  rule: '3-63 of a-z 0-9 -, no "--", starting and ending with a letter or digit',
};

function bucketName(url: URL, scheme: string, naming: { re: RegExp; rule: string }): string {
  const what = scheme === 'azblob' ? 'container' : 'bucket';
  const name = decodeURIComponent(url.hostname);
  if (!name) bad(`${scheme}:// is missing the ${what} name: ${scheme}://my-${what}`);
  if (url.port)
    bad(`${scheme}://${name}:${url.port}: a ${what} name has no port (for a custom endpoint use ?endpoint=)`);
  if (url.pathname !== '' && url.pathname !== '/') {
    bad(
      `${scheme}://${name}${url.pathname}: paths inside the ${what} are not supported; use a ${what} per node`,
    );
  }
  if (!naming.re.test(name)) bad(`"${name}" is not a valid ${scheme} ${what} name (${naming.rule})`);
  if (scheme !== 's3' && url.search)
    bad(`${scheme}:// takes no options, got "${url.search}"; credentials come from the environment`);
  return name;
}

const S3_OPTIONS = ['region', 'endpoint', 's3ForcePathStyle', 'disableSSL'] as const;
type S3Option = (typeof S3_OPTIONS)[number];

function s3Options(url: URL): Partial<Record<S3Option, string>> {
  const options: Partial<Record<S3Option, string>> = {};
  for (const [name, value] of url.searchParams) {
    if (!(S3_OPTIONS as readonly string[]).includes(name)) {
      bad(`unknown s3 option "${name}" (allowed: ${S3_OPTIONS.join(', ')})`);
    }
    if (options[name as S3Option] !== undefined) bad(`s3 option "${name}" is given twice`);
    if (value === '') bad(`s3 option "${name}" is empty`);
    options[name as S3Option] = value;
  }
  return options;
}

function bool(name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return bad(`s3 option ${name}=${value}: expected true or false`);
}

function parseS3(url: URL, env: NodeJS.ProcessEnv): S3Url {
  const bucket = bucketName(url, 's3', S3_BUCKET);
  const options = s3Options(url);
  const disableSSL = bool('disableSSL', options.disableSSL);
  const endpoint = options.endpoint === undefined ? undefined : s3Endpoint(options.endpoint, disableSSL);
  if (disableSSL && endpoint === undefined)
    bad('s3 option disableSSL=true needs an endpoint= (AWS itself is https only)');
  const region =
    options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined));
  if (!region) bad(`s3://${bucket} has no region: add ?region=us-east-1 (or set AWS_REGION)`);
  if (!/^[a-z0-9-]+$/.test(region)) bad(`s3 option region=${region} is not a region name`);
  return {
    scheme: 's3',
    bucket,
    region,
    endpoint,
    forcePathStyle: bool('s3ForcePathStyle', options.s3ForcePathStyle),
  };
}

/** `host:port` gets a scheme (http with disableSSL, as gocloud does); a given scheme must agree. */
function s3Endpoint(value: string, disableSSL: boolean): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
    ? value
    : `${disableSSL ? 'http' : 'https'}://${value}`;
  if (!URL.canParse(withScheme)) bad(`s3 option endpoint=${value} is not a URL`);
  const endpoint = new URL(withScheme);
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')
    bad(`s3 option endpoint=${value}: expected http or https`);
  if (disableSSL && endpoint.protocol === 'https:')
    bad(`s3 options disagree: endpoint=${value} is https but disableSSL=true`);
  if (endpoint.pathname !== '/' || endpoint.search)
    bad(`s3 option endpoint=${value} must be scheme://host[:port] only`);
  return endpoint.origin;
}

/** The URL without anything secret (there never is: credentials in URLs are rejected). */
export function displayUrl(parsed: BlobUrl): string {
  switch (parsed.scheme) {
    case 'file':
      return `file://${parsed.root}`;
    case 's3': {
      const q = new URLSearchParams({ region: parsed.region });
      if (parsed.endpoint) q.set('endpoint', parsed.endpoint);
      if (parsed.forcePathStyle) q.set('s3ForcePathStyle', 'true');
      return `s3://${parsed.bucket}?${q.toString()}`;
    }
    case 'gcs':
      return `gcs://${parsed.bucket}`;
    case 'azblob':
      return `azblob://${parsed.container}`;
  }
}
