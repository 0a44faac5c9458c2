// @vitest-environment happy-dom
import type { LicenseServer } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { readView, viewSearch, type FeatureView } from './range.ts';
import { RangeControls } from './RangeControls.tsx';

const TODAY = '2026-03-15';
const servers: LicenseServer[] = [
  { id: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f', name: 'madrid-flex', host: 'flex-mad', port: 27000, timeZone: 'Europe/Madrid', createdAt: '2025-03-12T10:00:00.000Z' },
];

/** The controls as the page holds them: every change becomes the view (and so the query string). */
function renderControls(query = '') {
  const changes: FeatureView[] = [];
  function Holder() {
    const [view, setView] = useState(readView(new URLSearchParams(query), TODAY));
    return (
      <RangeControls
        view={view}
        servers={servers}
        today={TODAY}
        onChange={(next) => {
          changes.push(next);
          setView(next);
        }}
      />
    );
  }
  render(<Holder />);
  return { changes, last: () => viewSearch(changes.at(-1)!).toString() };
}

afterEach(cleanup);

describe('RangeControls', () => {
  it('turns a preset into the days ending today, with the range\'s own bucket, and shows them in the date fields', async () => {
    const { changes, last } = renderControls();
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: '7d' } });
    expect(changes.at(-1)).toMatchObject({ from: '2026-03-09', to: TODAY, preset: '7d', bucket: 'hour' });
    expect(last()).toBe('period=7d');
    await waitFor(() => expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-03-09'));
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: '12m' } });
    expect(changes.at(-1)).toMatchObject({ from: '2025-03-16', to: TODAY, bucket: 'week' });
  });

  it('applies typed dates with Show as chosen dates, keeping a chosen bucket the range allows', () => {
    const { changes, last } = renderControls('period=7d&bucket=day');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-01-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-01-31' } });
    expect(changes).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(last()).toBe('from=2026-01-01&to=2026-01-31&bucket=day');
  });

  it('keeps typed dates that do not make a range, says why beside the field and moves focus there', async () => {
    const { changes } = renderControls();
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-10' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-03-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(changes).toEqual([]);
    const to = screen.getByLabelText('To') as HTMLInputElement;
    expect(screen.getByText('To must not be before From.')).toBeTruthy();
    expect(to.getAttribute('aria-invalid')).toBe('true');
    expect(to.value).toBe('2026-03-01');
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-03-10');
    await waitFor(() => expect(document.activeElement).toBe(to));
    // Correcting the field clears its error.
    fireEvent.change(to, { target: { value: '2026-03-12' } });
    expect(screen.queryByText('To must not be before From.')).toBeNull();
  });

  it('offers hours only for ranges the hourly timeline answers, and sets the server and bucket at once', () => {
    const { changes, last } = renderControls('from=2025-01-01&to=2026-03-15');
    const hour = screen.getByRole('radio', { name: 'Hour' }) as HTMLInputElement;
    expect(hour.disabled).toBe(true);
    expect(screen.getByText('Hours are available for ranges of up to 416 days.')).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: 'Month' }));
    expect(changes.at(-1)).toMatchObject({ bucket: 'month', bucketChosen: true });
    fireEvent.change(screen.getByLabelText('License server'), { target: { value: servers[0]!.id } });
    expect(last()).toBe(`from=2025-01-01&to=2026-03-15&bucket=month&server=${servers[0]!.id}`);
    fireEvent.change(screen.getByLabelText('License server'), { target: { value: '' } });
    expect(changes.at(-1)!.serverId).toBeNull();
  });
});
