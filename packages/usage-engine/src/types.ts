/**
 * The vocabulary every parser and the usage maths share. Parsers turn license-daemon output into these
 * events and snapshots; the analyser turns events into sessions, peaks and denials. No I/O here.
 */

/** Formats detected from content alone. */
export const USAGE_FORMATS = ['flexlm-debug', 'lmstat', 'rlm-report', 'rlm-debug', 'rlmstat', 'lmx', 'csv'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

/** A line the parser could not use, with why; parsing carries on. Line numbers start at 1. */
export interface Diagnostic {
  line: number;
  reason: string;
}

/** What happened to a license, at an absolute instant (epoch milliseconds, UTC). */
export type UsageEventKind =
  | 'checkout' // OUT: seats taken
  | 'checkin' // IN: seats given back (reason: INACTIVE, SHUTDOWN … when logged)
  | 'denied' // DENIED / UNSUPPORTED: a request refused
  | 'queued' // QUEUED: waiting for a seat
  | 'dequeued' // DEQUEUED: left the queue
  | 'restart'; // the daemon (re)started: every open check-out of this vendor daemon ends here

export interface UsageEvent {
  kind: UsageEventKind;
  /** Epoch milliseconds (UTC), resolved from the log's local time in the server's time zone. */
  at: number;
  /** Source line number. */
  line: number;
  /** Vendor daemon (e.g. MLM, ansyslmd), as logged. */
  vendor: string;
  /** Feature name as logged (case kept); empty for 'restart'. */
  feature: string;
  /** User name as logged (case kept); empty for 'restart'. */
  user: string;
  host: string;
  /** Seats involved (the "(N licenses)" count); 1 when not logged. */
  seats: number;
  /** Denial reason text or check-in qualifier (INACTIVE, SHUTDOWN), when logged. */
  reason?: string;
}

/** One user line of a status snapshot (lmstat, rlmstat, lmx). */
export interface SnapshotUser {
  user: string;
  host: string;
  display?: string;
  version?: string;
  /** Epoch ms when the check-out started, when the snapshot says. */
  startedAt?: number;
  seats: number;
}

/** Per-feature totals at one instant, as a status command reports them. */
export interface FeatureSnapshot {
  at: number;
  vendor: string;
  feature: string;
  issued: number;
  inUse: number;
  users: SnapshotUser[];
  /** Reservations and queue length, when reported. */
  reserved?: number;
  queued?: number;
}

/** Options every log parser takes. */
export interface ParseOptions {
  /** The license server's IANA time zone (e.g. Europe/Madrid); logs carry local wall-clock times. */
  timeZone: string;
  /** The date of the first lines when the log itself does not say it (YYYY-MM-DD). */
  startDate?: string;
}

/** What a parser hands to its consumer as it goes (streaming: nothing is kept by the parser). */
export interface ParseSink {
  event?(event: UsageEvent): void;
  snapshot?(snapshot: FeatureSnapshot): void;
  diagnostic(diagnostic: Diagnostic): void;
}

/** A streaming parser: feed it lines in order, then end it. */
export interface LineParser {
  /** One line without its terminator; `lineNumber` starts at 1. */
  line(text: string, lineNumber: number): void;
  /** No more lines: flush anything held back (e.g. lines waiting for a date). */
  end(): void;
}
