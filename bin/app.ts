import { readFileSync } from 'node:fs';
import { buildApp } from '../lib/app.js';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

buildApp({}, version);
