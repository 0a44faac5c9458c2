/**
 * The feature page's controls: a period (presets ending today, or chosen dates), the license server and
 * the bucket size. Presets, server and bucket apply at once; typed dates apply with "Show", are checked
 * first (errors beside the field, values kept) and are the keyboard's way to zoom.
 */
import { useEffect, useState } from 'react';
import { FieldFrame } from '../components/Field.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import type { FieldErrors } from '../form-errors.ts';
import { useForm } from '../use-form.ts';
import { ANALYTICS_BUCKETS, MAX_HOURLY_DAYS, type LicenseServer } from '@seatwise/protocol';
import { BUCKET_LABELS, bucketAllowed, presetRange, RANGE_PRESETS, rangeProblems, withRange, type FeatureView, type PresetId } from './range.ts';

const labels = { 'feature-from': 'From', 'feature-to': 'To' } as const;
type DateField = keyof typeof labels;
const CHOSEN = 'chosen';

interface RangeControlsProps {
  view: FeatureView;
  servers: readonly LicenseServer[];
  /** Today in the viewer's zone (YYYY-MM-DD): where presets end. */
  today: string;
  onChange: (view: FeatureView) => void;
}

function DateField({ id, value, error, onValueChange }: { id: DateField; value: string; error?: string; onValueChange: (value: string) => void }) {
  return (
    <FieldFrame
      id={id}
      label={labels[id]}
      error={error}
      control={(described) => <input id={id} name={id} type="date" value={value} onChange={(event) => onValueChange(event.target.value)} {...described} />}
    />
  );
}

/** See the module comment. */
export function RangeControls({ view, servers, today, onChange }: RangeControlsProps) {
  const [dates, setDates] = useState<Record<DateField, string>>({ 'feature-from': view.from, 'feature-to': view.to });
  // "Chosen dates" picked in the period list, before the dates are shown with "Show".
  const [choosing, setChoosing] = useState(false);
  const form = useForm(labels);

  // A preset or a link changes the range: the date fields show it.
  useEffect(() => {
    setDates({ 'feature-from': view.from, 'feature-to': view.to });
    setChoosing(false);
  }, [view.from, view.to]);

  const change = (field: DateField) => (value: string) => {
    setDates((current) => ({ ...current, [field]: value }));
    form.clearField(field);
  };

  function choosePeriod(value: string) {
    if (value === CHOSEN) {
      setChoosing(true);
      return;
    }
    const preset = value as PresetId;
    onChange(withRange(view, presetRange(preset, today), preset));
  }

  function check(): FieldErrors<DateField> {
    const problems = rangeProblems({ from: dates['feature-from'], to: dates['feature-to'] });
    return { 'feature-from': problems.from, 'feature-to': problems.to };
  }

  async function apply() {
    onChange(withRange(view, { from: dates['feature-from'], to: dates['feature-to'] }, null));
  }

  const hoursRefused = !bucketAllowed(view, 'hour');

  return (
    <form className="feature-controls" aria-label="Period, license server and grouping" onSubmit={form.onSubmit(check, apply)} noValidate>
      <div className="field feature-period">
        <label htmlFor="feature-period">Period</label>
        <select id="feature-period" value={choosing ? CHOSEN : (view.preset ?? CHOSEN)} onChange={(event) => choosePeriod(event.target.value)}>
          {RANGE_PRESETS.map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
          <option value={CHOSEN}>Chosen dates</option>
        </select>
      </div>
      <DateField id="feature-from" value={dates['feature-from']} error={form.errors.fields['feature-from']} onValueChange={change('feature-from')} />
      <DateField id="feature-to" value={dates['feature-to']} error={form.errors.fields['feature-to']} onValueChange={change('feature-to')} />
      <div className="feature-show">
        <SubmitButton busy={form.busy} busyLabel="Showing…" variant="secondary">
          Show
        </SubmitButton>
      </div>
      <div className="field feature-server">
        <label htmlFor="feature-server">License server</label>
        <select id="feature-server" value={view.serverId ?? ''} onChange={(event) => onChange({ ...view, serverId: event.target.value || null })}>
          <option value="">All servers</option>
          {servers.map((server) => (
            <option key={server.id} value={server.id}>
              {server.name} ({server.timeZone})
            </option>
          ))}
        </select>
      </div>
      <fieldset className="feature-buckets" aria-describedby={hoursRefused ? 'feature-bucket-hint' : undefined}>
        <legend>Group by</legend>
        <div className="feature-bucket-options">
          {ANALYTICS_BUCKETS.map((bucket) => {
            const refused = bucket === 'hour' && hoursRefused;
            return (
              <label key={bucket} className={`feature-bucket${refused ? ' feature-bucket-refused' : ''}`}>
                <input
                  type="radio"
                  name="feature-bucket"
                  value={bucket}
                  checked={view.bucket === bucket}
                  disabled={refused}
                  onChange={() => onChange({ ...view, bucket, bucketChosen: true })}
                />
                {BUCKET_LABELS[bucket]}
              </label>
            );
          })}
        </div>
        {hoursRefused ? (
          <p id="feature-bucket-hint" className="field-hint">
            Hours are available for ranges of up to {MAX_HOURLY_DAYS} days.
          </p>
        ) : null}
      </fieldset>
    </form>
  );
}
