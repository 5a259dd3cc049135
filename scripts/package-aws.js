#!/usr/bin/env node
// `npm run package:aws`: packages serverless.yml for AWS with osls, offline. osls needs no
// credentials to package; it still wants a region and it must not look for a profile, so
// this runs it with a region, a dummy key pair and no profile (nothing is sent to AWS).
// serverless-esbuild writes one zip per function into .serverless/; their sizes are printed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { zipEntries } = require('./zip-entries');

const root = path.resolve(__dirname, '..');
const out = path.join(root, '.serverless');

// The static ffmpeg/ffprobe packages set their executable bit in an install script, which npm
// here does not run; Lambda runs the binary as another user, so it needs r-x for everyone.
for (const binary of [
  'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
  'node_modules/@ffprobe-installer/linux-x64/ffprobe',
]) {
  const file = path.join(root, binary);
  if (!fs.existsSync(file)) fail(`${binary} is missing: run npm install (it is a devDependency)`);
  fs.chmodSync(file, 0o755);
}

const bucket = process.env.AUDIUS_S3_BUCKET || 'audius-storage';
const region = process.env.AWS_REGION || 'us-east-1';
const env = {
  ...process.env,
  AWS_REGION: region,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID || 'package-only',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY || 'package-only',
  AWS_SDK_LOAD_CONFIG: '0',
  AUDIUS_S3_BUCKET: bucket,
  // The defaults a deployment needs (an operator overrides them the same way): S3 in the one
  // bucket the IAM statements name, and a writable data directory (/var/task is read-only).
  storage_driver_url: process.env.storage_driver_url || `s3://${bucket}?region=${region}`,
  AUDIUS_DATA_DIR: process.env.AUDIUS_DATA_DIR || '/tmp/audius',
};
delete env.AWS_PROFILE;
delete env.AWS_DEFAULT_PROFILE;

fs.rmSync(out, { recursive: true, force: true });
const osls = path.join(root, 'node_modules/serverless/bin/serverless.js');
const run = spawnSync(
  process.execPath,
  [osls, 'package', '--stage', process.env.STAGE || 'dev', ...process.argv.slice(2)],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
if (run.status !== 0) fail(`osls package failed (exit ${run.status})`);

const zips = fs
  .readdirSync(out)
  .filter((f) => f.endsWith('.zip'))
  .map((f) => {
    const file = path.join(out, f);
    const unzipped = zipEntries(file).reduce((sum, e) => sum + e.size, 0);
    return { name: f.replace(/\.zip$/, ''), zipped: fs.statSync(file).size, unzipped };
  })
  .sort((a, b) => b.zipped - a.zipped);
if (zips.length === 0) fail('osls package wrote no function bundles');
const mb = (n) => (n / 1e6).toFixed(2).padStart(8);
console.log(`\n${'function'.padEnd(28)}${'zip MB'.padStart(8)}${'unzipped MB'.padStart(13)}`);
for (const z of zips) console.log(`${z.name.padEnd(28)}${mb(z.zipped)}${mb(z.unzipped).padStart(13)}`);
fs.writeFileSync(path.join(out, 'bundle-sizes.json'), `${JSON.stringify(zips, null, 2)}\n`);
console.log(`\n${zips.length} bundles and cloudformation-template-update-stack.json in .serverless/`);

function fail(message) {
  console.error(`package:aws: ${message}`);
  process.exit(1);
}
