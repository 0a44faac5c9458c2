import { parseArgs } from 'node:util';
import { analyzeFile, AnalyzeError, type AnalyzeOutcome } from './analyze.ts';

const USAGE = `Usage: seatwise analyze FILE [--tz ZONE] [--start-date YYYY-MM-DD] [--json]

Reads a license-daemon log or status output on this machine (FlexNet debug log, lmutil lmstat -a, RLM
report or debug log, rlmutil rlmstat -a, LM-X lmxendutil -licstat, or CSV), without a server or database, and prints per feature: peak concurrency and when, sessions, seat-hours,
true and retried denials, check-outs still open at the end and distinct users per day; then the lines it
could not use.

  --tz ZONE              the license server's IANA time zone (default: this machine's, e.g. Europe/Madrid)
  --start-date DATE      the date of the first lines when the log does not say it
  --json                 print exactly one JSON object instead of the tables
`;

const hours = (value: number) => `${value.toLocaleString('en', { maximumFractionDigits: 2 })} h`;

function printTables({ report, diagnosticCount }: AnalyzeOutcome, file: string, timeZone: string): void {
  const out: string[] = [`${file}: ${report.format}, ${report.lines.toLocaleString('en')} lines, times in ${timeZone}`, ''];
  if (report.features.length === 0) out.push('No license usage found.');
  for (const feature of report.features) {
    out.push(`${feature.vendor ? feature.vendor + ' / ' : ''}${feature.feature}`);
    out.push(`  peak            ${feature.peak} seat${feature.peak === 1 ? '' : 's'}${feature.peakAt ? ` at ${feature.peakAt}` : ''}`);
    out.push(`  sessions        ${feature.sessions}   seat-hours ${hours(feature.seatHours)}   still open at the end ${feature.openAtEnd}`);
    out.push(`  denials         ${feature.denials} true, ${feature.retriedDenials} retried (granted soon after)`);
    const days = Object.entries(feature.dailyUsers);
    if (days.length > 0) out.push(`  users per day   ${days.map(([day, count]) => `${day}: ${count}`).join(', ')}`);
    out.push('');
  }
  if (diagnosticCount === 0) out.push('Every line was understood.');
  else {
    out.push(`${diagnosticCount} line${diagnosticCount === 1 ? '' : 's'} could not be used:`);
    for (const diagnostic of report.diagnostics.slice(0, 20)) out.push(`  line ${diagnostic.line}: ${diagnostic.reason}`);
    if (diagnosticCount > 20) out.push(`  … and ${diagnosticCount - 20} more (--json lists up to ${report.diagnostics.length})`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

/** `seatwise analyze`: the usage engine on one file, from the command line. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'analyze') {
    process.stderr.write(command && command !== '--help' && command !== '-h' ? `Unknown command: ${command}\n\n${USAGE}` : USAGE);
    return command && command !== '--help' && command !== '-h' ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { tz: { type: 'string' }, 'start-date': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    process.stderr.write(`Give exactly one file.\n\n${USAGE}`);
    return 2;
  }
  const startDate = parsed.values['start-date'];
  if (startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(startDate)) {
    process.stderr.write(`--start-date must look like 2022-06-09, not "${startDate}".\n`);
    return 2;
  }
  const timeZone = parsed.values.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    const outcome = await analyzeFile(file, { timeZone, startDate });
    if (parsed.values.json) process.stdout.write(JSON.stringify(outcome.report) + '\n');
    else printTables(outcome, file, timeZone);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message =
      error instanceof AnalyzeError ? error.message : code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file} is a folder, not a file` : (error as Error).message;
    process.stderr.write(`seatwise analyze: ${message}\n`);
    return 1;
  }
}
