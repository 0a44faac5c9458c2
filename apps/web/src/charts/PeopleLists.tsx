/** Top users by seat-hours and idle users (sessions taken back for inactivity), as two small tables. */
import type { FeaturePeople, PersonUsage } from '@seatwise/protocol';
import { formatCount, formatDateTime, formatHours } from '../format.ts';
import { idleUsers, PEOPLE_LIST_LENGTH, topUsers } from './people.ts';
import { zonesTitle } from './summary.ts';

function PersonName({ person }: { person: PersonUsage }) {
  return (
    <>
      {person.name}
      {person.pseudonymised ? <span className="muted"> (pseudonymised)</span> : null}
    </>
  );
}

/** See the module comment. `serverChosen` says the page is filtered to one server (people never are). */
export function PeopleLists({ people, zones, serverChosen }: { people: FeaturePeople; zones: readonly string[]; serverChosen: boolean }) {
  const top = topUsers(people.people);
  const idle = idleUsers(people.people);
  return (
    <section className="card feature-section" aria-labelledby="people-heading">
      <h2 id="people-heading">Who uses it</h2>
      <p className="muted feature-hint">
        {formatCount(people.total, 'person', 'people')} used it in the range
        {serverChosen ? ', counted across all license servers (per-person figures are not kept per server)' : ''}.
        {people.total > people.people.length ? ` The lists are drawn from the ${people.people.length} with the most hours.` : ''}
      </p>
      <div className="people-lists">
        <div>
          <h3>Top users</h3>
          {top.length === 0 ? (
            <p className="muted">Nobody held a seat in this range.</p>
          ) : (
            <div className="table-scroll">
              <table className="table people-table">
                <caption className="visually-hidden">The {PEOPLE_LIST_LENGTH} people with the most seat-hours</caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Seat-hours</th>
                    <th scope="col">Sessions</th>
                    <th scope="col">Last used</th>
                  </tr>
                </thead>
                <tbody>
                  {top.map((person) => (
                    <tr key={person.personId}>
                      <th scope="row" data-label="Person">
                        <PersonName person={person} />
                      </th>
                      <td data-label="Seat-hours">{formatHours(person.hours)}</td>
                      <td data-label="Sessions">{formatCount(person.sessions, 'session')}</td>
                      <td data-label="Last used">
                        <time dateTime={person.lastUsedAt} title={zonesTitle(person.lastUsedAt, zones)}>
                          {formatDateTime(person.lastUsedAt)}
                        </time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div>
          <h3>Idle users</h3>
          <p className="muted feature-hint">People whose seat the license server took back because they had left it unused.</p>
          {idle.length === 0 ? (
            <p className="muted">No seat was taken back for inactivity in this range.</p>
          ) : (
            <div className="table-scroll">
              <table className="table people-table">
                <caption className="visually-hidden">People with seats taken back for inactivity, most first</caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Idle check-ins</th>
                    <th scope="col">Seat-hours</th>
                  </tr>
                </thead>
                <tbody>
                  {idle.map((person) => (
                    <tr key={person.personId}>
                      <th scope="row" data-label="Person">
                        <PersonName person={person} />
                      </th>
                      <td data-label="Idle check-ins">{formatCount(person.idleCheckins, 'check-in')}</td>
                      <td data-label="Seat-hours">{formatHours(person.hours)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
