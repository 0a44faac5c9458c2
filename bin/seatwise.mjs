#!/usr/bin/env node
// `npx seatwise …` from a checkout: runs the TypeScript command-line tool through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../apps/agent/src/seatwise.ts');
process.exitCode = await main(process.argv.slice(2));
