#!/usr/bin/env node
// `npm run dev`: the API server with reload on change (port 8080) and Vite with hot reload (port 5173) side
// by side. Open http://localhost:5173: Vite serves the app and passes /api on to the server, so the browser
// sees one origin, as in production. The server is told that origin (PUBLIC_URL) so its CSRF origin check
// and the links in mails point at the page you are using. Ctrl-C stops both.
import { spawn } from 'node:child_process';

const WEB_ORIGIN = 'http://localhost:5173';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const children = [
  spawn(npm, ['run', 'dev', '--workspace', 'apps/server'], {
    stdio: 'inherit',
    env: { ...process.env, PUBLIC_URL: process.env.PUBLIC_URL ?? WEB_ORIGIN },
  }),
  spawn(npm, ['run', 'dev', '--workspace', 'apps/web'], { stdio: 'inherit' }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}

for (const child of children) child.on('exit', (code) => stop(code ?? 1));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
