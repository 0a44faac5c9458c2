// Browser tests: the real server (real database, real HTTP on loopback) serving the built web app, driven by
// Debian's Chromium through playwright-core. Never a downloaded browser.
//
// A test file calls `useBrowserTests()` once: one server per file, a fresh browser profile per person per
// test. After each test the last screen of every open browser is saved to .test-results/browser/, and the
// test fails if the page logged an error or the Content Security Policy refused anything.
//
// Sign-ups through the page all come from 127.0.0.1, which the server allows ten an hour: when signing up
// is not what a test is about, seed people with `server.api.newOrganization()` / `server.api.addMember()`
// and sign them in through the page with `signIn()`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { createTestApp, strongPassword, type TestApp } from '../../server/src/testing/test-app.ts';
// The type of inject('browserWebDist'), provided by global-setup.ts.
import type {} from './web-build.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where each test's last screen is saved. */
const SCREENSHOT_DIR = path.join(repoRoot, '.test-results/browser');

/** Debian's launcher script; it sources /etc/chromium.d, which adds flags of its own (extensions, GPU). */
const CHROMIUM_LAUNCHER = '/usr/bin/chromium';
/** The browser binary of Debian's chromium package: launched directly so the flags are exactly ours. */
const CHROMIUM_BINARY = '/usr/lib/chromium/chromium';
/** Chromium's flags: no sandbox (containers, root in CI), no GPU, and nothing that talks to the internet. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;
/** Long enough for a shared two-core machine, short enough that a missing element fails with its own message. */
const ACTION_TIMEOUT_MS = 15_000;

/** The paths the server's e-mails link to. */
export type MailedLinkPath = '/verify-email' | '/accept-invite' | '/reset-password';

export interface BrowserTestServer {
  /** `http://localhost:<port>`: Chromium treats localhost as a secure context, so `__Host-` cookies work. */
  baseUrl: string;
  /** The same database through the HTTP tests' helpers: seed organisations and people, read the outbox. */
  api: TestApp;
  /** An absolute address on this server. */
  url(pathname: string): string;
  /** The link the newest e-mail to an address carries: its token on this server's `linkPath` page. */
  mailedLink(to: string, linkPath: MailedLinkPath): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the application on 127.0.0.1 (a free port), on a fresh test database, serving the built web app.
 * The port is known before the app is built, because the public address (links in e-mails, the CSRF
 * origin check, the token issuer) is part of the configuration.
 */
export async function startServer(webDist: string = inject('browserWebDist')): Promise<BrowserTestServer> {
  if (!webDist || !existsSync(path.join(webDist, 'index.html'))) {
    throw new Error('The built web app is missing: run browser tests with BROWSER_TESTS=1 (npm run test:browser), whose set-up builds it.');
  }
  const listener = http.createServer();
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  const { port } = listener.address() as AddressInfo;
  const baseUrl = `http://localhost:${port}`;
  let api: TestApp | undefined;
  try {
    api = await createTestApp({ config: { PUBLIC_URL: baseUrl }, webDist });
    const { app } = api;
    listener.on('request', (request, response) => app.routing(request, response));
    const testApp = api;
    return {
      baseUrl,
      api: testApp,
      url: (pathname) => new URL(pathname, baseUrl).toString(),
      async mailedLink(to, linkPath) {
        const link = await testApp.mailedLink(to);
        if (new URL(link).pathname !== linkPath) throw new Error(`the newest mail to ${to} links to ${link}, not ${linkPath}`);
        return link;
      },
      async close() {
        listener.closeAllConnections();
        await new Promise<void>((resolve) => listener.close(() => resolve()));
        await testApp.close();
      },
    };
  } catch (error) {
    listener.close();
    await api?.close();
    throw error;
  }
}

/** One person's browser: its own Chromium with a fresh profile, and what went wrong on its pages. */
export interface PersonBrowser {
  label: string;
  context: BrowserContext;
  page: Page;
  userDataDir: string;
  problems: string[];
}

// A failed request to the API with a 4xx answer is the app's normal conversation (a wrong password, an
// expired session); Chromium still logs it. Anything else the page logs as an error is a problem.
const API_CLIENT_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d\b/;

function isProblem(message: ConsoleMessage, baseUrl: string): boolean {
  if (message.type() !== 'error') return false;
  const source = message.location().url;
  return !(API_CLIENT_ERROR.test(message.text()) && source.startsWith(`${baseUrl}/api/`));
}

/** Launches Debian's Chromium with a fresh profile, recording what goes wrong on its pages. */
export async function launchPersonBrowser(label: string, baseUrl: string, viewport: { width: number; height: number }): Promise<PersonBrowser> {
  if (!existsSync(CHROMIUM_LAUNCHER) || !existsSync(CHROMIUM_BINARY)) {
    throw new Error(
      `Chromium is not installed (${existsSync(CHROMIUM_LAUNCHER) ? CHROMIUM_BINARY : CHROMIUM_LAUNCHER} is missing). ` +
        'Install it with apt-get install chromium (the tests never download a browser).',
    );
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'seatwise-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_BINARY,
      args: [...CHROMIUM_FLAGS],
      headless: true,
      viewport,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const problems: string[] = [];
  // CSP refusals reach the console as errors ("Refused to … because it violates the following Content
  // Security Policy directive …"); uncaught exceptions arrive as web errors.
  context.on('console', (message) => {
    if (!isProblem(message, baseUrl)) return;
    const source = message.location().url;
    problems.push(`console error: ${message.text()}${source ? ` (${source})` : ''}`);
  });
  context.on('weberror', (webError) => problems.push(`uncaught error: ${webError.error().message}`));
  const page = context.pages()[0] ?? (await context.newPage());
  return { label, context, page, userDataDir, problems };
}

export interface OpenPageOptions {
  /** Names the screenshot when a test uses several browsers (for example "owner", "viewer"). */
  label?: string;
  /** Defaults to a laptop screen; `{ width: 360, height: 740 }` is a phone. */
  viewport?: { width: number; height: number };
}

export interface BrowserTests {
  /** The server of this test file (started before its first test). */
  readonly server: BrowserTestServer;
  /** Opens a new browser with a fresh profile (a person who has never visited) and returns its page. */
  openPage(options?: OpenPageOptions): Promise<Page>;
  /** Returns and forgets what went wrong on a page so far: for tests that provoke a problem on purpose. */
  takeProblems(page: Page): string[];
}

function screenshotName(testName: string, label: string, browserCount: number): string {
  const name = browserCount > 1 ? `${testName} (${label})` : testName;
  return `${name.replace(/[^\p{L}\p{N} ,.()_-]+/gu, '-').slice(0, 180)}.png`;
}

/**
 * Registers the hooks of a browser test file: the server before the first test, and after each test the
 * screenshots, the closing of its browsers and the check that no page logged an error.
 */
export function useBrowserTests(): BrowserTests {
  let server: BrowserTestServer | undefined;
  let browsers: PersonBrowser[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async (context) => {
    const open = browsers;
    browsers = [];
    const problems: string[] = [];
    try {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      for (const browser of open) {
        const file = path.join(SCREENSHOT_DIR, screenshotName(context.task.fullTestName, browser.label, open.length));
        try {
          await browser.page.screenshot({ path: file, fullPage: true });
        } catch (error) {
          problems.push(`the screenshot of ${browser.label} could not be saved: ${(error as Error).message}`);
        }
        problems.push(...browser.problems.map((problem) => (open.length > 1 ? `${browser.label}: ${problem}` : problem)));
      }
    } finally {
      for (const browser of open) {
        await browser.context.close().catch(() => undefined);
        await rm(browser.userDataDir, { recursive: true, force: true });
      }
    }
    if (problems.length > 0) throw new Error(`The page was not clean:\n${problems.join('\n')}`);
  });

  return {
    get server() {
      if (!server) throw new Error('The browser test server is not started: use it inside a test or hook.');
      return server;
    },
    async openPage({ label = `browser ${browsers.length + 1}`, viewport = { width: 1280, height: 800 } } = {}) {
      if (!server) throw new Error('The browser test server is not started: use it inside a test or hook.');
      const browser = await launchPersonBrowser(label, server.baseUrl, viewport);
      browsers.push(browser);
      return browser.page;
    },
    takeProblems(page) {
      const browser = browsers.find((candidate) => candidate.page === page);
      if (!browser) throw new Error('That page was not opened with openPage() in this test.');
      return browser.problems.splice(0);
    },
  };
}

/** Someone about to sign up: unique e-mail, strong password. */
export interface Person {
  name: string;
  email: string;
  password: string;
  companyName: string;
}

/** A new person with a unique address; `label` shows up in their name, address and company. */
export function newPerson(label = 'owner'): Person {
  const tag = randomBytes(4).toString('hex');
  return {
    name: `Robin ${label} ${tag}`,
    email: `${label}.${tag}@example.test`,
    password: strongPassword(),
    companyName: `Harbour ${label} ${tag} Ltd`,
  };
}

/** Fills in and sends the sign-up form, and waits for the page that asks to confirm the address. */
export async function signUp(page: Page, server: BrowserTestServer, person: Person): Promise<void> {
  await page.goto(server.url('/sign-up'));
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Work e-mail').fill(person.email);
  await page.getByLabel('Company name').fill(person.companyName);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();
}

/** Opens the confirmation link mailed to an address, and waits until the page says it is confirmed. */
export async function confirmEmail(page: Page, server: BrowserTestServer, email: string): Promise<void> {
  await page.goto(await server.mailedLink(email, '/verify-email'));
  await page.getByRole('heading', { name: 'Your e-mail address is confirmed' }).waitFor();
}

/** Signs in through the sign-in page and waits for the signed-in navigation. */
export async function signIn(page: Page, server: BrowserTestServer, email: string, password: string): Promise<void> {
  await page.goto(server.url('/sign-in'));
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Signs a new person up through the pages, confirms their address from the e-mail and signs them in. */
export async function signUpAndSignIn(page: Page, server: BrowserTestServer, label = 'owner'): Promise<Person> {
  const person = newPerson(label);
  await signUp(page, server, person);
  await confirmEmail(page, server, person.email);
  await signIn(page, server, person.email, person.password);
  return person;
}
