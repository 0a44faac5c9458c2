import { useId } from 'react';
import { TextField } from './Field.tsx';

let zoneNames: readonly string[] | undefined;

/** Every IANA time zone this browser knows, plus UTC (which `Intl.supportedValuesOf` leaves out). */
export function timeZoneNames(): readonly string[] {
  zoneNames ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  return zoneNames;
}

/** The viewer's own time zone (the default for a new license server). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The zone as the time-zone database spells it ("europe/madrid" → "Europe/Madrid"), or undefined when it is none. */
export function canonicalTimeZone(text: string): string | undefined {
  const zone = text.trim();
  if (!zone) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The wall-clock time now in a zone ("14:05"), to confirm the choice at a glance. */
function timeNowIn(zone: string): string {
  return new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone });
}

interface TimeZoneFieldProps {
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  error?: string;
  /** Said under the field, before the clock line. */
  hint?: string;
}

/**
 * A time-zone input with the browser's own searchable suggestions (a datalist of every IANA zone). Typing
 * part of a name ("Madrid", "New York") narrows the list; the hint shows the time now in the zone chosen.
 */
export function TimeZoneField({ id, label, value, onValueChange, error, hint }: TimeZoneFieldProps) {
  const listId = `${useId()}-zones`;
  const zone = canonicalTimeZone(value);
  return (
    <>
      <TextField
        id={id}
        label={label}
        value={value}
        onValueChange={onValueChange}
        error={error}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="none"
        maxLength={64}
        required
        hint={
          <>
            {hint ? `${hint} ` : ''}Type part of a name, such as Madrid or New York, to search.
            {zone ? ` It is ${timeNowIn(zone)} there now.` : ''}
          </>
        }
      />
      <datalist id={listId}>
        {timeZoneNames().map((name) => (
          // The label with spaces lets "New York" find America/New_York.
          <option key={name} value={name} label={name.replaceAll('_', ' ')} />
        ))}
      </datalist>
    </>
  );
}
