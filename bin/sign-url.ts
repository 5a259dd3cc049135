#!/usr/bin/env node
/**
 * `npm run sign-url -- <fileName> [--key <hex> | --key-file <path>] [--host <url>] [--route stream|long-term]`
 * prints a signed stream URL (issue 11), valid for AUDIUS_STREAM_SIGNATURE_HOURS on nodes that
 * accept the key's wallet. `npm run sign-url -- --upload` prints an upload `?signature=`
 * instead. The default key is `npm start`'s node1 delegate key (a member, so its signatures
 * are accepted by the local cluster); operators pass their signer's key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { signEnvelope } from '../shared/access/signed-envelope';
import { signStreamUrl } from '../shared/access/stream-signature';
import { identityFromHex } from '../shared/identity/wallet';
import { PROJECT_ROOT } from '../shared/paths';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(args: string[]): void {
  const keyFile = flag(args, '--key-file') ?? path.join(PROJECT_ROOT, '.data', 'node1', 'delegate.key');
  const keyHex = flag(args, '--key') ?? process.env.AUDIUS_SIGNER_KEY ?? readKey(keyFile);
  const identity = identityFromHex(keyHex);
  const host = (flag(args, '--host') ?? 'http://127.0.0.1:9924').replace(/\/$/, '');
  if (args.includes('--upload')) {
    const signature = signEnvelope(identity.privateKey, { timestamp: Date.now() });
    console.log(`${host}/storage/file?signature=${encodeURIComponent(signature)}`);
    console.error(`signer ${identity.address}`);
    return;
  }
  const fileName = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!fileName) {
    console.error(
      'usage: npm run sign-url -- <fileName> [--key <hex> | --key-file <path>] [--host <url>] [--route stream|long-term]',
    );
    process.exit(2);
  }
  const route = flag(args, '--route') === 'long-term' ? 'long-term/file' : 'stream';
  const signature = signStreamUrl(identity.privateKey, fileName);
  console.log(
    `${host}/storage/${route}/${encodeURIComponent(fileName)}?signature=${encodeURIComponent(signature)}`,
  );
  console.error(`signer ${identity.address}`);
}

function readKey(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    console.error(`no key: pass --key <hex>, --key-file <path> or AUDIUS_SIGNER_KEY (looked for ${file})`);
    process.exit(2);
  }
}

main(process.argv.slice(2));
