/** Words for what the server reports about uploads: formats found and job statuses. */
import type { Upload } from '@seatwise/protocol';

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  'flexlm-debug': 'FlexNet debug log',
  lmstat: 'lmstat -a output',
  'rlm-report': 'RLM report log',
  'rlm-debug': 'RLM debug log',
  rlmstat: 'rlmstat -a output',
  lmx: 'LM-X licstat output',
  csv: 'CSV of usage',
};

/** The format the server recognised, as people call it ("FlexNet debug log"); "—" before it is known. */
export function formatName(format: string | null): string {
  if (!format) return '—';
  return FORMAT_NAMES[format] ?? format;
}

const STATUS_LABELS: Readonly<Record<Upload['status'], string>> = {
  waiting: 'Waiting for the file',
  running: 'Running',
  done: 'Done',
  duplicate: 'Already uploaded',
  failed: 'Failed',
};

/** An upload's status in words. */
export function statusLabel(status: Upload['status']): string {
  return STATUS_LABELS[status];
}
