/**
 * Writes a realistic FlexNet/FlexLM debug log of a given size, deterministically from a seed: several vendor
 * daemons and features, thousands of users, days of data, with the mix real logs have (check-outs and
 * check-ins that pair up, denials when a pool is full, INACTIVE check-ins, TIMESTAMP lines, summary-log
 * blocks, start-up banners, a vendor-daemon restart with SHUTDOWN check-ins now and then).
 *
 *   tsx packages/usage-engine/bench/generate-flexlm-log.ts OUT_FILE SIZE_MB [SEED]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSeededRandom } from '../src/seeded-random.ts';

interface Feature {
  name: string;
  /** Seats in the pool; a check-out beyond it is denied. */
  seats: number;
  /** Seats a check-out takes: 1, or a token count logged as "(N licenses)". */
  tokens: () => number;
  /** Text between host and seat count, e.g. "[CAMPUS:NASTRAN]". */
  extra: () => string;
  inUse: number;
  weight: number;
}

interface Vendor {
  name: string;
  features: Feature[];
}

interface Session {
  vendor: Vendor;
  feature: Feature;
  user: string;
  host: string;
  seats: number;
  /** Local seconds since the start of the log when it ends. */
  ends: number;
}

export interface GenerateResult {
  bytes: number;
  lines: number;
  days: number;
  events: number;
}

const FIRST = ['ana', 'ben', 'carla', 'dmitri', 'elena', 'farid', 'greta', 'hugo', 'ines', 'jonas', 'kenji', 'lucia', 'marek', 'nora', 'oscar', 'paula', 'quentin', 'rosa', 'sven', 'tomas', 'ursula', 'victor', 'wen', 'xavier', 'yara', 'zoe'];
/** Login names are nearly always ASCII; a few accounts (often on Windows servers) are not. */
const FIRST_NON_ASCII = ['josé', 'søren', 'zoë', 'łukasz', 'andrés', 'zoltán'];
const LAST = ['alves', 'berg', 'costa', 'dahl', 'evans', 'fischer', 'garcia', 'hansen', 'ito', 'jensen', 'kowalski', 'lopez', 'moreau', 'novak', 'olsen', 'petit', 'quinn', 'rossi', 'silva', 'tanaka', 'ueda', 'vidal', 'weber', 'xu', 'yilmaz', 'zimmer', 'núñez', 'müller'];

const MLM = ['MATLAB', 'SIMULINK', 'Signal_Toolbox', 'Optimization_Toolbox', 'Statistics_Toolbox', 'Image_Toolbox', 'Control_Toolbox', 'Distrib_Computing_Toolbox', 'Curve_Fitting_Toolbox', 'Symbolic_Toolbox'];
const ADSK = ['64300ACD_F', '85730ACD_2012_0F', '65400MAP_F', '86174MAP_2014_0F', '87545ACD_2021_0F'];
const SNPS = ['VCSRuntime_Net', 'Design-Compiler', 'PrimeTime', 'HSPICE', 'Formality', 'VCS-MX-Net'];
const CDS = ['Virtuoso_Schematic_Editor_XL', 'Spectre', 'Innovus_Impl_System', 'Xcelium_Single_Core', 'Genus_Synthesis'];
const ANSYS = ['cfd_base', 'anshpc', 'struct', 'aa_r', 'mech_2', 'ane3fl'];

const SLOG_BLOCK = [
  '===============================================',
  '=== Last 10 Client Requests Processing Time (in ms) ===',
  'Time: {DATE}',
  'Request processing time, when, #concurrent clients, (private bytes (in KB)), client info (user, node, FD)',
  '00000000 ms at {DATE},#12,(5604K),(user_01,machine_08,1096)',
  '00000016 ms at {DATE},#9,(5520K),(user_13,machine_03,1152)',
  '',
  '=== Active Connections Info ===',
  'Peak active connections #23 attempted at {DATE}',
  '',
  '=== Memory Usage Info ===',
  'Peak private bytes 5664K attempted at {DATE}',
  '===============================================',
];

const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Generates the log into `path` until it holds at least `sizeBytes`. Wall times are those of a server in
 * Europe/Madrid starting 2024-03-01; the generator ignores DST (the log reads as if its clock never jumped).
 */
export function generateFlexlmLog(path: string, sizeBytes: number, seed = 1): GenerateResult {
  const random = createSeededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const users: string[] = [];
  const ascii = LAST.filter((name) => /^[a-z]+$/.test(name));
  for (let i = 0; i < 6000; i++) {
    // About 2% of accounts have a letter outside ASCII, 1% a space ("first last"), many a dot.
    const special = random() < 0.02;
    const first = special ? pick(FIRST_NON_ASCII) : pick(FIRST);
    const last = special ? pick(LAST) : pick(ascii);
    const style = random();
    users.push(style < 0.55 ? `${first}.${last}` : style < 0.99 ? `${first[0]}${last}${i % 100}` : `${first} ${last}`);
  }
  const hosts: string[] = [];
  for (let i = 0; i < 4000; i++) {
    hosts.push(random() < 0.5 ? `ws-${1000 + i}` : `pc${pad2(i % 97)}-lab${i % 13}.campus.example.org`);
  }

  const feature = (name: string, seats: number, weight: number, tokens = () => 1, extra = () => ''): Feature => ({
    name,
    seats,
    tokens,
    extra,
    inUse: 0,
    weight,
  });
  const vendors: Vendor[] = [
    { name: 'MLM', features: MLM.map((f, i) => feature(f, i === 0 ? 220 : 50, i === 0 ? 8 : 2)) },
    { name: 'adskflex', features: ADSK.map((f) => feature(f, 50, 2)) },
    { name: 'snpslmd', features: SNPS.map((f) => feature(f, 36, 1.5)) },
    { name: 'cdslmd', features: CDS.map((f) => feature(f, 36, 1.5)) },
    { name: 'ansyslmd', features: ANSYS.map((f) => feature(f, 128, 1.2, () => (random() < 0.2 ? 4 + Math.floor(random() * 28) : 1))) },
    {
      name: 'MSC',
      features: ['NASTRAN', 'ADAMS_View', 'PATRAN', 'MARC'].map((f) =>
        feature('CAMPUS', 4000, 1, () => 5 * (1 + Math.floor(random() * 50)), () => `[CAMPUS:${f}]`),
      ),
    },
  ];
  const weighted: { vendor: Vendor; feature: Feature }[] = [];
  for (const vendor of vendors) {
    for (const f of vendor.features) for (let w = 0; w < f.weight * 4; w++) weighted.push({ vendor, feature: f });
  }

  const fd = openSync(path, 'w');
  let buffer = '';
  let bytes = 0;
  let lines = 0;
  let events = 0;
  const flush = (): void => {
    if (buffer.length === 0) return;
    bytes += writeSync(fd, buffer);
    buffer = '';
  };

  // Local seconds since 2024-03-01 00:00 (a Friday).
  const startDay = Date.UTC(2024, 2, 1) / 86_400_000;
  let now = 7 * 3600;
  const clock = (t: number): string => {
    const s = Math.floor(t) % 86_400;
    const h = Math.floor(s / 3600);
    return `${h < 10 ? ' ' : ''}${h}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  };
  const calendar = (t: number): { y: number; m: number; d: number; wd: number } => {
    const day = startDay + Math.floor(t / 86_400);
    const date = new Date(day * 86_400_000);
    return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate(), wd: ((day % 7) + 7) % 7 };
  };
  const longDate = (t: number): string => {
    const c = calendar(t);
    const s = Math.floor(t) % 86_400;
    return `${WEEKDAYS[c.wd]} ${MONTH_NAMES[c.m - 1]} ${pad2(c.d)} ${c.y} ${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)} Romance Standard Time`;
  };
  const shortDate = (t: number): string => {
    const c = calendar(t);
    return `${c.m}/${c.d}/${c.y}`;
  };
  const line = (t: number, vendor: string, message: string): void => {
    buffer += `${clock(t)} (${vendor}) ${message}\n`;
    lines++;
    if (buffer.length > 1 << 20) flush();
  };

  const startUp = (t: number): void => {
    line(t, 'lmgrd', '-----------------------------------------------');
    line(t, 'lmgrd', '  Please Note:');
    line(t, 'lmgrd', '  This log is intended for debug purposes only.');
    line(t, 'lmgrd', '-----------------------------------------------');
    line(t, 'lmgrd', `Server's System Date and Time: ${longDate(t)}`);
    line(t, 'lmgrd', 'SLOG: Summary LOG statistics is enabled.');
    line(t, 'lmgrd', `FlexNet Licensing (v11.19.6.0 build 293152 x64_n6) started on lic-srv01 (IBM PC) (${shortDate(t)})`);
    line(t, 'lmgrd', 'Copyright (c) 1988-2024 Flexera. All Rights Reserved.');
    line(t, 'lmgrd', 'License file(s): C:\\FlexLM\\licenses\\site.lic');
    line(t, 'lmgrd', 'lmgrd tcp-port 27000');
    line(t, 'lmgrd', `(@lmgrd-SLOG@) Start-Date: ${longDate(t)}`);
    line(t, 'lmgrd', 'Starting vendor daemons ... ');
    for (const vendor of vendors) {
      line(t, 'lmgrd', `Started ${vendor.name} (internet tcp_port ${27001 + vendors.indexOf(vendor)} pid ${4000 + Math.floor(random() * 5000)})`);
      line(t + 1, vendor.name, 'FlexNet Licensing version v11.19.6.0 build 293152 x64_n6');
      line(t + 1, vendor.name, `Server started on lic-srv01 for:\t${vendor.features.map((f) => f.name).join('\t')}`);
      line(t + 1, vendor.name, 'EXTERNAL FILTERS are OFF');
      line(t + 1, 'lmgrd', `${vendor.name} using TCP-port ${27001 + vendors.indexOf(vendor)}`);
    }
  };

  // Open sessions in a min-heap on their end time.
  const open: Session[] = [];
  const push = (session: Session): void => {
    open.push(session);
    let i = open.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((open[parent] as Session).ends <= session.ends) break;
      open[i] = open[parent] as Session;
      i = parent;
    }
    open[i] = session;
  };
  const pop = (): Session => {
    const top = open[0] as Session;
    const last = open.pop() as Session;
    if (open.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= open.length) break;
        const r = l + 1;
        const c = r < open.length && (open[r] as Session).ends < (open[l] as Session).ends ? r : l;
        if ((open[c] as Session).ends >= last.ends) break;
        open[i] = open[c] as Session;
        i = c;
      }
      open[i] = last;
    }
    return top;
  };

  const checkIn = (s: Session, at: number, qualifier: string): void => {
    s.feature.inUse -= s.seats;
    s.ends = -1;
    const count = s.seats > 1 || s.vendor.name === 'MSC' ? ` (${s.seats} licenses)` : '';
    line(at, s.vendor.name, `IN: "${s.feature.name}" ${s.user}@${s.host}  ${s.feature.extra()}${count}${qualifier}`);
    events++;
  };

  let nextTimestamp = now + 6 * 3600;
  let nextSlog = now + 4 * 3600;
  let nextRestart = now + 5 * 86_400;
  const closed = new Set<Session>();
  startUp(now);

  while (bytes + buffer.length < sizeBytes) {
    // Daytime is busier: ~40 requests a minute at noon, a few an hour at night.
    const hour = Math.floor(now / 3600) % 24;
    const rate = hour >= 8 && hour < 19 ? 0.7 : 0.06;
    const next = now - Math.log(1 - random()) / rate;

    // Everything due before the next request, in time order.
    for (;;) {
      const due = open.length > 0 ? (open[0] as Session).ends : Infinity;
      const at = Math.min(due, nextTimestamp, nextSlog, nextRestart);
      if (at > next) break;
      if (at === due) {
        const s = pop();
        if (closed.delete(s)) continue;
        checkIn(s, s.ends, random() < 0.08 ? ' (INACTIVE)' : '');
      } else if (at === nextTimestamp) {
        line(at, 'lmgrd', `TIMESTAMP ${shortDate(at)}`);
        for (const vendor of vendors) line(at, vendor.name, `TIMESTAMP ${shortDate(at)}`);
        nextTimestamp += 6 * 3600;
      } else if (at === nextSlog) {
        const vendor = pick(vendors);
        for (const text of SLOG_BLOCK) line(at, vendor.name, `(@${vendor.name}-SLOG@) ${text.replaceAll('{DATE}', longDate(at))}`);
        nextSlog += 4 * 3600;
      } else {
        // A vendor daemon dies: its sessions end with SHUTDOWN, lmgrd starts it again.
        const vendor = pick(vendors);
        line(at, vendor.name, 'EXITING DUE TO SIGNAL 15 Exit reason 2');
        for (const s of open) {
          if (s.vendor === vendor && s.ends >= 0 && !closed.has(s)) {
            closed.add(s);
            checkIn(s, at, ' (SHUTDOWN)');
          }
        }
        line(at, 'lmgrd', `${vendor.name} exited with status 15`);
        line(at, 'lmgrd', `REStarted ${vendor.name} (internet tcp_port 27001 pid ${4000 + Math.floor(random() * 5000)})`);
        line(at, vendor.name, `Server started on lic-srv01 for:\t${vendor.features.map((f) => f.name).join('\t')}`);
        events++;
        nextRestart += (3 + random() * 6) * 86_400;
      }
    }
    now = next;

    const { vendor, feature: f } = pick(weighted);
    const who = Math.floor(Math.pow(random(), 1.6) * users.length);
    const user = users[who] as string;
    // People work from their own workstation, now and then from a second machine.
    const host = hosts[(random() < 0.85 ? who : who * 7 + 1) % hosts.length] as string;
    const seats = f.tokens();
    if (f.inUse + seats > f.seats || random() < 0.01) {
      line(now, vendor.name, `DENIED: "${f.name}" ${user}@${host}  (Licensed number of users already reached. (-4,342:10054 ""))`);
      events++;
      continue;
    }
    if (random() < 0.003) {
      line(now, vendor.name, `UNSUPPORTED: "${f.name}_beta" (PORT_AT_HOST_PLUS   ) ${user}@${host}  (License server system does not support this feature. (-18,327:10054 ""))`);
      events++;
      continue;
    }
    f.inUse += seats;
    const count = seats > 1 || vendor.name === 'MSC' ? ` (${seats} licenses)` : '';
    line(now, vendor.name, `OUT: "${f.name}" ${user}@${host}  ${f.extra()}${count}`);
    if (vendor.name === 'MSC') line(now, vendor.name, `Acquired ${seats} licenses for Group CAMPUS (MSC Nastran)`);
    events++;
    // Sessions last minutes to hours.
    push({ vendor, feature: f, user, host, seats, ends: now + 60 - Math.log(1 - random()) * 2400 });
  }
  flush();
  closeSync(fd);
  return { bytes, lines, days: now / 86_400, events };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, sizeMb, seed] = process.argv.slice(2);
  if (out === undefined || sizeMb === undefined) {
    console.error('usage: generate-flexlm-log.ts OUT_FILE SIZE_MB [SEED]');
    process.exit(2);
  }
  const result = generateFlexlmLog(out, Number(sizeMb) * 1_000_000, seed === undefined ? 1 : Number(seed));
  console.log(JSON.stringify(result));
}
