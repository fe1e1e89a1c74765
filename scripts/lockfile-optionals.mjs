#!/usr/bin/env node
/**
 * `npm run lockfile:fix`, after any `npm install` that changes the lockfile.
 *
 * The registry this project installs from does not serve every platform build of packages
 * that ship native binaries as optional dependencies (Biome's and Rollup's darwin, win32,
 * musl… builds). npm then leaves those optional packages out of package-lock.json, and
 * `npm ci` refuses the lockfile as "Missing: …". This adds an optional entry for each package
 * `npm ci` names as missing; on install npm skips an optional package it cannot fetch, so
 * machines of every platform still get exactly their own binary.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

function missingFromLock() {
  try {
    execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts'], { stdio: 'pipe' });
    return [];
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return [...output.matchAll(/Missing: (@?[^@\s]+)@\S* from lock file/g)].map((m) => m[1]);
  }
}

const missing = missingFromLock();
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const name of missing) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const declaring = Object.values(lock.packages).find((meta) => meta.optionalDependencies?.[name]);
  if (!declaring) throw new Error(`no package in the lockfile declares the optional ${name}`);
  lock.packages[key] = {
    version: declaring.optionalDependencies[name],
    dev: declaring.dev,
    optional: true,
  };
  added += 1;
}
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} optional platform package(s)`);
