/**
 * Which format a file is, from its first bytes of text alone (never its name). Each format scores the
 * signs of it that it finds; the strongest wins. "high" means a sign no other format prints (a banner,
 * a header, several lines of the format's own shape); "low" means only weaker hints.
 */
import { parseCsvHeader } from './csv-usage.ts';
import type { UsageFormat } from './types.ts';

export interface DetectedFormat {
  format: UsageFormat;
  confidence: 'high' | 'low';
}

/** How much of the sample is read. */
export const DETECT_SAMPLE_CHARS = 65_536;
/** Lines looked at for line-shaped signs. */
const SAMPLE_LINES = 2000;

/**
 * Binary content: mostly undecodable bytes (U+FFFD after UTF-8 decoding) or control characters, or many
 * scattered NULs (UTF-16 text, binary records). Runs of NULs, as a crash leaves in a log file, have
 * already been dropped.
 */
function looksBinary(text: string): boolean {
  let nul = 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) nul++;
    else if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11 && c !== 27)) bad++;
  }
  return nul > text.length * 0.25 || bad > (text.length - nul) * 0.05;
}

// FlexLM and RLM debug logs share an envelope: [mm/dd] time (daemon) message.
const ENVELOPE_RE =
  /^\s*(?:\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\s+)?(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?|\d{1,2}:\d{2}(?::\d{2})?)\s+\(([^()\s]+)\)\s?(.*)$/;
const FLEX_EVENT_RE = /^(?:OUT|IN|DENIED|UNSUPPORTED|QUEUED|DEQUEUED):\s+"/;
const FLEX_HINT_RE = /^(?:TIMESTAMP\s+\d|FlexNet Licensing|FLEXnet Licensing|FLEXlm|Server's System Date and Time|lmgrd\b|EXITING DUE TO SIGNAL)/;
const RLM_EVENT_RE = /^(?:OUT|IN|DENIED):\s+(?:\(\d+\)\s+)?\S+\s+v[\d.]+\s+(?:by|to)\s+\S+@\S+/;
const RLM_HINT_RE =
  /^(?:RLM License Server|License server started on|Server started on \S+ \(hostid:|Report log started|Shutdown request by|==== Reread request)/;

const RLM_REPORT_HEADER_RE = /^\s*RLM Report Log Format \d/;
const RLM_REPORT_LINE_RE =
  /^(?:OUT|IN|DENY|PRODUCT|START|SHUTDOWN|INUSE|REREAD|QUE|DEQUE|ISV|TIMEZONE|TIMEJUMP|LICENSE FILE|AUTH:)\s/;
const RLM_REPORT_STAMP_RE = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/;

const RLMSTAT_STRONG_RE = [
  /\brlm status on \S+ \(port \d+\)/,
  /\blicense pool status on \S+ \(port \d+\)/,
  /\blicense usage status on \S+ \(port \d+\)/,
  /\bISV server status on \S+ \(port \d+\)/,
  /^\s*count: \d+, # reservations: \d+, inuse: \d+/,
  /^\s*\S+ v[\d.]+: \S+@\S+ \d+\/\d+ at \d{1,2}\/\d{1,2} \d{1,2}:\d{2}/,
];
const RLMSTAT_HINT_RE = [/^\s*rlmutil v\d/, /Reprise Software/, /^\s*--------- ISV servers ----------/];

const LMX_STRONG_RE = [
  /LM-X End-user Utility/,
  /LM-X License Server on \S+/,
  /^\s*Feature: \S+ Version: \S+ Vendor: \S+/,
  /^\s*\d+ of \d+ license\(s\) used/,
  /^\s*\d+ license\(s\) used by \S+@\S+/,
];
const LMX_HINT_RE = [/X-Formation/, /^\s*Key type: \S+ License sharing:/, /^\s*LM-X license server\(s\):/, /There are no license server\(s\) available/];

const LMSTAT_HEADER_RE = /Flexible License Manager status on \S+ \d{1,2}\/\d{1,2}\/\d{2,4}/;
const LMSTAT_USERS_RE = /^\s*Users of [^:]+:\s+\((?:Total of \d+|Uncounted|Error:)/;
const LMSTAT_HINT_RE = [/^\s*lm(?:util|stat) - Copyright/, /^\s*License server status: /, /^\s*Vendor daemon status \(on /];

interface Score {
  format: UsageFormat;
  /** 2 for high, 1 for low, 0 for none. */
  level: number;
  weight: number;
}

/** What each format is, in words, for messages that say what was expected. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<UsageFormat, string>> = {
  'flexlm-debug': 'a FlexNet/FlexLM debug log (lmgrd and vendor-daemon lines)',
  lmstat: 'saved `lmutil lmstat -a` output',
  'rlm-report': 'an RLM report log (REPORTLOG, std, small or detailed)',
  'rlm-debug': 'an RLM debug log (ISV server lines)',
  rlmstat: 'saved `rlmutil rlmstat -a` output',
  lmx: 'saved LM-X `lmxendutil -licstat` output',
  csv: 'a CSV with time, feature, user and seats columns',
};

/** The first 64 KiB, without a BOM, with runs of NULs (left by a crash) turned into a line break. */
function headOf(sample: string): string {
  // eslint-disable-next-line no-control-regex -- runs of NULs left by a crash are padding, not content
  return sample.slice(0, DETECT_SAMPLE_CHARS).replace(/^\uFEFF/, '').replace(/\u0000{16,}/g, '\n');
}

/**
 * Why detectFormat found no format in a sample, as a sentence for the person who gave the file (it does not
 * list the formats: FORMAT_DESCRIPTIONS does).
 */
export function describeUndetected(sample: string): string {
  const head = headOf(sample);
  if (!head.trim()) return 'The file is empty (or holds only blank lines).';
  if (looksBinary(head)) {
    return (
      'It is not text: mostly undecodable bytes or control characters (or UTF-16), as an encrypted or compressed ' +
      "file is. FlexNet's binary report log is encrypted and only the vendor's tools read it; give the debug log " +
      'or saved lmstat output instead.'
    );
  }
  return 'It is text, but no line has the shape of any of these formats.';
}

/** The whole refusal for a file no format was found in: why, then what can be read. */
export function explainUndetected(sample: string): string {
  const expected = Object.entries(FORMAT_DESCRIPTIONS).map(([format, description]) => `${format} (${description})`);
  return `${describeUndetected(sample)} Expected one of: ${expected.join(', ')}.`;
}

/** Guesses the format of a file from a sample of its text (the first 64 KiB is read), or null. */
export function detectFormat(sample: string): DetectedFormat | null {
  const head = headOf(sample);
  if (!head.trim() || looksBinary(head)) return null;
  // eslint-disable-next-line no-control-regex -- a stray NUL is dropped, not matched
  const lines = head.replace(/\u0000/g, '').split(/\r\n|\r|\n/, SAMPLE_LINES);
  // The last line may be cut off mid-way by the sample's end.
  if (sample.length > DETECT_SAMPLE_CHARS && lines.length > 1) lines.pop();

  const scores: Score[] = [
    scoreDebugLogs(lines),
    scoreLmstat(lines),
    scoreRlmReport(lines),
    scoreRlmstat(lines),
    scoreLmx(lines),
    scoreCsv(lines),
  ].flat();
  let best: Score | undefined;
  for (const s of scores) {
    if (s.level === 0) continue;
    if (!best || s.level > best.level || (s.level === best.level && s.weight > best.weight)) best = s;
  }
  return best ? { format: best.format, confidence: best.level === 2 ? 'high' : 'low' } : null;
}

function count(lines: readonly string[], res: readonly RegExp[]): { hits: number; kinds: number } {
  let hits = 0;
  let kinds = 0;
  for (const re of res) {
    let any = false;
    for (const line of lines) {
      if (re.test(line)) {
        hits++;
        any = true;
      }
    }
    if (any) kinds++;
  }
  return { hits, kinds };
}

function scoreDebugLogs(lines: readonly string[]): Score[] {
  let envelopes = 0;
  let flex = 0;
  let rlm = 0;
  for (const line of lines) {
    const m = ENVELOPE_RE.exec(line);
    if (!m) continue;
    envelopes++;
    const daemon = m[1] ?? '';
    const message = m[2] ?? '';
    if (daemon === 'lmgrd' || FLEX_EVENT_RE.test(message) || FLEX_HINT_RE.test(message)) flex++;
    else if (daemon === 'rlm' || RLM_EVENT_RE.test(message) || RLM_HINT_RE.test(message)) rlm++;
  }
  // Envelope lines with no telling sign lean FlexLM, the more common of the two.
  let flexLevel = 0;
  let rlmLevel = 0;
  if (rlm > flex) {
    rlmLevel = envelopes >= 3 ? 2 : 1;
    flexLevel = flex > 0 ? 1 : 0;
  } else if (flex > 0) {
    flexLevel = envelopes >= 3 ? 2 : 1;
    rlmLevel = rlm > 0 ? 1 : 0;
  } else if (envelopes >= 3) {
    flexLevel = 1;
  }
  return [
    { format: 'flexlm-debug', level: flexLevel, weight: envelopes + flex },
    { format: 'rlm-debug', level: rlmLevel, weight: envelopes + rlm },
  ];
}

function scoreLmstat(lines: readonly string[]): Score {
  const header = lines.some((l) => LMSTAT_HEADER_RE.test(l));
  const usersOf = lines.filter((l) => LMSTAT_USERS_RE.test(l)).length;
  const hints = count(lines, LMSTAT_HINT_RE);
  let level = 0;
  if ((header && (usersOf > 0 || hints.kinds > 0)) || usersOf >= 2) level = 2;
  else if (header || usersOf > 0 || hints.kinds > 0) level = 1;
  return { format: 'lmstat', level, weight: usersOf + hints.hits + (header ? 5 : 0) };
}

function scoreRlmReport(lines: readonly string[]): Score {
  const header = lines.some((l) => RLM_REPORT_HEADER_RE.test(l));
  let shaped = 0;
  for (const l of lines) if (RLM_REPORT_LINE_RE.test(l) || RLM_REPORT_STAMP_RE.test(l)) shaped++;
  const level = header ? 2 : shaped >= 3 ? 1 : 0;
  return { format: 'rlm-report', level, weight: shaped + (header ? 10 : 0) };
}

function scoreRlmstat(lines: readonly string[]): Score {
  const strong = count(lines, RLMSTAT_STRONG_RE);
  const hints = count(lines, RLMSTAT_HINT_RE);
  const level = strong.kinds >= 2 || (strong.kinds >= 1 && hints.kinds >= 1) ? 2 : strong.kinds + hints.kinds > 0 ? 1 : 0;
  return { format: 'rlmstat', level, weight: strong.hits * 2 + hints.hits };
}

function scoreLmx(lines: readonly string[]): Score {
  const strong = count(lines, LMX_STRONG_RE);
  const hints = count(lines, LMX_HINT_RE);
  const level = strong.kinds >= 2 || (strong.kinds >= 1 && hints.kinds >= 1) ? 2 : strong.kinds + hints.kinds > 0 ? 1 : 0;
  return { format: 'lmx', level, weight: strong.hits * 2 + hints.hits };
}

function scoreCsv(lines: readonly string[]): Score {
  let index = 0;
  const next = (): string | undefined => {
    while (index < lines.length && !(lines[index] ?? '').trim()) index++;
    return lines[index++];
  };
  let first = next();
  let delimiter: string | undefined;
  const sep = first === undefined ? null : /^\s*"?sep=(.)"?\s*$/i.exec(first);
  if (sep) {
    delimiter = sep[1];
    first = next();
  }
  const header = first === undefined ? null : parseCsvHeader(first, delimiter);
  if (!header) return { format: 'csv', level: 0, weight: 0 };
  // A header alone is already specific; a first row of the same width makes it certain.
  const row = next();
  const width = row === undefined ? 0 : row.split(header.delimiter).length;
  return { format: 'csv', level: 2, weight: width >= header.fieldCount ? 3 : 2 };
}
