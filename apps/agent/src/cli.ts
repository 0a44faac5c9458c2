#!/usr/bin/env node
/** seatwise-agent: the on-prem collector. Its commands arrive with the usage work. */
process.stdout.write('seatwise-agent: not available in this version yet.\n');
process.exitCode = 1;
