import { formatDateTime, inZone } from '../format.ts';

/** An instant in the viewer's zone, with the same instant in UTC on hover (these records have no other zone). */
export function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={inZone(iso, 'UTC')}>
      {formatDateTime(iso)}
    </time>
  );
}
