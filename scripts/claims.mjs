#!/usr/bin/env node
// The promise report: which promises of the register (shared/claims.md) are proven by passing tests.
//
// A test proves a promise when its own name (not the describe blocks around it) starts with the
// promise's ID followed by a space, e.g. it('AUTH-03 reuse of a spent refresh token revokes the family').
// Results come from Vitest's JSON reports in .test-results/*.json (`npm test` writes vitest.json; CI's
// PostgreSQL run writes vitest-postgres.json; BROWSER_TESTS=1 writes vitest-browser.json).
//
// Exit status 1 when: there are no reports; a test names an ID that is not in the register; or a test that
// names a promise failed. Promises without a passing test are listed but are not a failure.
//
// Environment: CLAIMS_FILE (default ../shared/claims.md beside the repository),
//              CLAIMS_RESULTS_DIR (default .test-results in the repository).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const claimsFile = resolve(process.env.CLAIMS_FILE ?? join(repoRoot, '..', 'shared', 'claims.md'));
const resultsDir = resolve(process.env.CLAIMS_RESULTS_DIR ?? join(repoRoot, '.test-results'));

const REGISTER_LINE = /^- ([A-Z]+-[0-9]+) /;
const SECTION_LINE = /^## (.+)$/;
// An ID-shaped token at the start of a test name, followed by a space or the end of the name.
const TITLE_ID = /^([A-Z]+-[0-9]+)(?= |$)/;
// The same token followed by anything else ("AUTH-03: …"): does not name a promise.
const TITLE_ID_LOOSE = /^([A-Z]+-[0-9]+)(?=[^ 0-9-])/;

function fail(message) {
  console.error(`claims: ${message}`);
  process.exit(1);
}

/** Reads the register: promise IDs in order, with the section each belongs to. */
function readRegister(file) {
  if (!existsSync(file)) fail(`register not found: ${file} (set CLAIMS_FILE to its path)`);
  const promises = [];
  const seen = new Set();
  const duplicates = [];
  let section = '';
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const heading = SECTION_LINE.exec(line);
    if (heading) section = heading[1].trim();
    const match = REGISTER_LINE.exec(line);
    if (!match) continue;
    const id = match[1];
    if (seen.has(id)) {
      duplicates.push(id);
      continue;
    }
    seen.add(id);
    promises.push({ id, section });
  }
  return { promises, ids: seen, duplicates };
}

/** Short label for where a result came from: the default run, the PostgreSQL run, or another report. */
function sourceLabel(reportFile, testFile) {
  const name = basename(reportFile);
  if (name === 'vitest.json') return /\.db\.test\.[cm]?[jt]sx?$/.test(testFile) ? 'pglite' : 'default';
  if (name === 'vitest-postgres.json') return 'postgres';
  if (name === 'vitest-browser.json') return 'browser';
  if (name === 'vitest-node24.json') return 'node 24';
  return name.replace(/\.json$/, '');
}

/** Reads every Vitest JSON report in the results directory. */
function readReports(dir) {
  // The default run first, then the PostgreSQL and browser runs, then any others by name.
  const rank = (name) => ['vitest.json', 'vitest-postgres.json', 'vitest-browser.json'].indexOf(name) >>> 0;
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
        .map((name) => join(dir, name))
    : [];
  if (files.length === 0) {
    fail(`no test reports in ${dir}. Run \`npm test\` first (it writes .test-results/vitest.json).`);
  }
  const reports = [];
  for (const file of files) {
    let data;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      fail(`${file} is not valid JSON: ${error.message}`);
    }
    if (!data || !Array.isArray(data.testResults)) {
      fail(`${file} is not a Vitest JSON report (no testResults array)`);
    }
    reports.push({ file, data });
  }
  return reports;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const register = readRegister(claimsFile);
if (register.promises.length === 0) fail(`no promise IDs found in ${claimsFile}`);
const reports = readReports(resultsDir);

// id -> Map(testKey -> { title, file, sources: Set, statuses: Map(source -> status) })
const byId = new Map(register.promises.map((p) => [p.id, new Map()]));
const unknown = new Map(); // id -> [ "title (file)" ]
const malformed = [];

for (const { file: reportFile, data } of reports) {
  for (const fileResult of data.testResults) {
    const testFile = relative(repoRoot, String(fileResult.name ?? ''));
    for (const test of fileResult.assertionResults ?? []) {
      const title = String(test.title ?? '');
      const match = TITLE_ID.exec(title);
      if (!match) {
        const loose = TITLE_ID_LOOSE.exec(title);
        if (loose && register.ids.has(loose[1])) malformed.push(`${title}  (${testFile})`);
        continue;
      }
      const id = match[1];
      if (!register.ids.has(id)) {
        const where = `${title}  (${testFile})`;
        const list = unknown.get(id) ?? [];
        if (!list.includes(where)) list.push(where);
        unknown.set(id, list);
        continue;
      }
      const source = sourceLabel(reportFile, testFile);
      const key = `${testFile}\u0000${test.fullName ?? [...(test.ancestorTitles ?? []), title].join(' ')}`;
      const tests = byId.get(id);
      const entry = tests.get(key) ?? { title, file: testFile, statuses: new Map() };
      // One report may list the same test more than once (test.each with the same name): keep the worst.
      const previous = entry.statuses.get(source);
      if (previous !== 'failed') entry.statuses.set(source, test.status);
      tests.set(key, entry);
    }
  }
}

// The report.
const out = [];
out.push(`Promise register: ${relative(process.cwd(), claimsFile) || claimsFile}`);
out.push(`Test reports:     ${reports.map((r) => relative(process.cwd(), r.file)).join(', ')}`);
const idWidth = Math.max(...register.promises.map((p) => p.id.length));
let section = null;
let proven = 0;
const failed = [];

for (const { id, section: promiseSection } of register.promises) {
  if (promiseSection !== section) {
    section = promiseSection;
    out.push('');
    if (section) out.push(section);
  }
  const tests = [...byId.get(id).values()];
  // A test proves its promise when it passed, and failed in no run (PGlite and PostgreSQL alike).
  const passing = tests.filter((t) => {
    const statuses = [...t.statuses.values()];
    return statuses.includes('passed') && !statuses.includes('failed');
  });
  for (const t of tests) {
    for (const [source, status] of t.statuses) {
      if (status === 'failed') failed.push(`${t.title}  (${t.file}, ${source})`);
    }
  }
  if (passing.length > 0) proven += 1;
  out.push(
    passing.length > 0
      ? `${id.padEnd(idWidth)}  ✓ ${plural(passing.length, 'passing test')}`
      : `${id.padEnd(idWidth)}  – none`,
  );
  // Show the file only where two tests share a name, to keep lines short.
  const titleCounts = new Map();
  for (const t of tests) titleCounts.set(t.title, (titleCounts.get(t.title) ?? 0) + 1);
  for (const t of tests) {
    const passedIn = [...t.statuses].filter(([, s]) => s === 'passed').map(([src]) => src);
    const other = [...t.statuses].filter(([, s]) => s !== 'passed').map(([src, s]) => `${s} in ${src}`);
    const where = titleCounts.get(t.title) > 1 ? `  [${t.file}]` : '';
    const notes = [...passedIn, ...other].join(', ');
    out.push(`${' '.repeat(idWidth + 4)}${t.title}${where}  (${notes})`);
  }
}

out.push('', `Proven: ${proven} of ${register.promises.length} promises`);
console.log(out.join('\n'));

if (register.duplicates.length > 0) {
  console.warn(`\nWarning: IDs listed more than once in the register: ${register.duplicates.join(', ')}`);
}
if (malformed.length > 0) {
  console.warn(
    '\nWarning: these tests start with a promise ID that is not followed by a space, so they prove nothing:\n' +
      malformed.map((m) => `  ${m}`).join('\n'),
  );
}

let problems = 0;
if (unknown.size > 0) {
  problems += 1;
  console.error(
    `\nError: tests name IDs that are not in the register (${claimsFile}):\n` +
      [...unknown]
        .map(([id, titles]) => `  ${id}\n${titles.map((t) => `      ${t}`).join('\n')}`)
        .join('\n') +
      '\nUse an ID from the register, or reword the test so its name does not start with an ID-shaped token' +
      ' (LETTERS-DIGITS, e.g. "SHA-256 …" → "hashes with SHA-256 …").',
  );
}
if (failed.length > 0) {
  problems += 1;
  console.error(`\nError: tests that name a promise failed:\n${failed.map((f) => `  ${f}`).join('\n')}`);
}
process.exit(problems > 0 ? 1 : 0);
