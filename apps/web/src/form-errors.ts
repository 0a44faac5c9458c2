/**
 * Maps an API error onto a form: issues whose path names a field (`body.password` → `password`) go beside
 * that field; everything else becomes one message for the whole form.
 */
import { ApiError } from './api.ts';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface FormErrors<F extends string> {
  fields: FieldErrors<F>;
  /** A message for the form as a whole, or undefined when every problem sits beside a field. */
  form?: string;
}

/** The form field an issue path points at (`body.password` → `password`), or undefined. */
export function fieldOfIssuePath<F extends string>(path: string, fields: readonly F[]): F | undefined {
  const [where, field] = path.split('.');
  if (where !== 'body' || field === undefined) return undefined;
  return fields.find((candidate) => candidate === field);
}

/**
 * The text shown for a field: the server's issue messages are fragments ("is required") meant to follow
 * the field's label; full sentences are shown as they are.
 */
export function fieldMessage(label: string, message: string): string {
  const trimmed = message.trim();
  if (!trimmed) return `${label} is not valid.`;
  const sentence = /^[a-z]/.test(trimmed) ? `${label} ${trimmed}` : trimmed;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

function asSentence(message: string): string {
  const trimmed = message.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Splits an error (from the API or anything thrown) into field messages and a form message. */
export function formErrorsFrom<F extends string>(error: unknown, labels: Readonly<Record<F, string>>): FormErrors<F> {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: 'Something went wrong. Try again in a moment.' };
  }
  const names = Object.keys(labels) as F[];
  const fields: FieldErrors<F> = {};
  const leftOver: string[] = [];
  for (const issue of error.issues) {
    const field = fieldOfIssuePath(issue.path, names);
    if (field === undefined) {
      const name = issue.path.replace(/^body\.?/, '');
      leftOver.push(name ? fieldMessage(name, issue.message) : asSentence(issue.message));
    } else if (fields[field] === undefined) {
      fields[field] = fieldMessage(labels[field], issue.message);
    }
  }
  if (error.issues.length === 0) return { fields, form: error.message };
  // When every issue sits beside its field, a summary would only repeat them.
  return leftOver.length > 0 ? { fields, form: leftOver.join(' ') } : { fields };
}

/** The first field (in form order) that has an error, for moving focus to it. */
export function firstFieldWithError<F extends string>(errors: FieldErrors<F>, order: readonly F[]): F | undefined {
  return order.find((field) => errors[field] !== undefined);
}
