import fs from 'node:fs';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  usernamePasswordAuthenticator,
  type ConnectionOptions,
} from '@nats-io/transport-node';
import { isLoopback, type Config, type NatsAuth } from '../config';
import { StorageError } from '../errors';

/** No credentials, no TLS: `npm start`'s loopback cluster and the tests. */
export const OPEN_NATS: NatsAuth = {
  credsFile: '',
  nkeySeed: '',
  user: '',
  password: '',
  tlsCa: '',
  tlsCert: '',
  tlsKey: '',
};

/**
 * The connect options for the configured credentials and TLS (docs/nats-security.md). One
 * way to authenticate at most — two would leave the operator guessing which one the server
 * judged — and files are read here, so a missing one stops the start in one line.
 */
export function natsConnectOptions(auth: NatsAuth): Pick<ConnectionOptions, 'authenticator' | 'tls'> {
  const ways = [
    auth.credsFile && 'AUDIUS_NATS_CREDS',
    auth.nkeySeed && 'AUDIUS_NATS_NKEY_SEED',
    (auth.user || auth.password) && 'AUDIUS_NATS_USER/AUDIUS_NATS_PASSWORD',
  ].filter(Boolean);
  if (ways.length > 1) throw bad(`set one way to authenticate to NATS, not ${ways.join(' and ')}`);
  if (Boolean(auth.user) !== Boolean(auth.password))
    throw bad('AUDIUS_NATS_USER and AUDIUS_NATS_PASSWORD go together');
  if (Boolean(auth.tlsCert) !== Boolean(auth.tlsKey))
    throw bad('AUDIUS_NATS_TLS_CERT and AUDIUS_NATS_TLS_KEY go together');
  const options: Pick<ConnectionOptions, 'authenticator' | 'tls'> = {};
  if (auth.credsFile)
    options.authenticator = credsAuthenticator(readFile('AUDIUS_NATS_CREDS', auth.credsFile));
  if (auth.nkeySeed) options.authenticator = nkeyAuthenticator(seedOf(auth.nkeySeed));
  if (auth.user) options.authenticator = usernamePasswordAuthenticator(auth.user, auth.password);
  if (auth.tlsCa || auth.tlsCert) {
    for (const [name, file] of [
      ['AUDIUS_NATS_TLS_CA', auth.tlsCa],
      ['AUDIUS_NATS_TLS_CERT', auth.tlsCert],
      ['AUDIUS_NATS_TLS_KEY', auth.tlsKey],
    ])
      if (file) readFile(name, file);
    options.tls = {
      ...(auth.tlsCa ? { caFile: auth.tlsCa } : {}),
      ...(auth.tlsCert ? { certFile: auth.tlsCert, keyFile: auth.tlsKey } : {}),
    };
  }
  return options;
}

/** How this process authenticates, for the start line and errors (never the secret). */
export function describeNatsAuth(auth: NatsAuth): string {
  const who = auth.credsFile
    ? `creds file ${auth.credsFile}`
    : auth.nkeySeed
      ? 'an NKey'
      : auth.user
        ? `user ${auth.user}`
        : 'no credentials';
  return `${who}${auth.tlsCa || auth.tlsCert ? ', TLS' : ''}`;
}

/** No credentials while some NATS server is beyond this machine (the local cluster may run open). */
export function natsRunsOpen(config: Pick<Config, 'natsAuth' | 'natsUrl'>): boolean {
  const a = config.natsAuth;
  if (a.credsFile || a.nkeySeed || a.user) return false;
  return config.natsUrl.some((u) => {
    try {
      const url = new URL(u.includes('://') ? u : `nats://${u}`);
      return !url.username && !isLoopback(url.hostname);
    } catch {
      return true;
    }
  });
}

/** A seed as given (`SU…`) or the file that holds it. */
function seedOf(value: string): Uint8Array {
  const text = value.startsWith('SU') ? value : readFile('AUDIUS_NATS_NKEY_SEED', value).toString('utf8');
  const seed = text.trim();
  if (!/^SU[A-Z2-7]{56}$/.test(seed))
    throw bad('AUDIUS_NATS_NKEY_SEED is not an NKey user seed (SU… , 58 characters)');
  return new TextEncoder().encode(seed);
}

function readFile(name: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw bad(`${name}=${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

const bad = (message: string) => new StorageError('BAD_CONFIG', message);
