#!/usr/bin/env node
/** seatwise-agent: the on-prem collector (see agent/main.ts; bundled into dist/seatwise-agent.mjs). */
import { main } from './agent/main.ts';

process.exitCode = await main(process.argv.slice(2));
