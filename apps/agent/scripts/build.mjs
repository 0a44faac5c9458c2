// Builds dist/seatwise-agent.mjs: the agent and everything it uses (protocol schemas, usage engine, zod) in
// one ESM file that runs on Node.js 20.19+ alone — no node_modules, no database driver, no native module.
// esbuild comes with the workspace's tooling (tsx and vite depend on it).
import { build } from 'esbuild';
import { chmod, readFile, stat } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const agentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `node build.mjs OUTFILE` writes elsewhere (tests build their own copy).
const outfile = process.argv[2] ? path.resolve(process.argv[2]) : path.join(agentDir, 'dist', 'seatwise-agent.mjs');
const { version } = JSON.parse(await readFile(path.join(agentDir, 'package.json'), 'utf8'));

const result = await build({
  entryPoints: [path.join(agentDir, 'src', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // Only Node's own modules may stay outside the bundle.
  external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
  banner: { js: `// seatwise-agent ${version}: one self-contained file; run with Node.js 20.19 or newer.` },
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs);
const forbidden = inputs.filter((input) => /node_modules\/(pg|pg-[^/]+|@electric-sql|bcrypt|bcryptjs|fastify)\//.test(input) || input.endsWith('.node'));
if (forbidden.length > 0) {
  console.error(`The agent bundle must not contain database drivers, bcrypt or native modules:\n  ${forbidden.join('\n  ')}`);
  process.exit(1);
}
for (const [, output] of Object.entries(result.metafile.outputs)) {
  const imports = output.imports.filter((entry) => entry.external && !entry.path.startsWith('node:') && !builtinModules.includes(entry.path));
  if (imports.length > 0) {
    console.error(`The agent bundle imports modules it does not contain: ${imports.map((entry) => entry.path).join(', ')}`);
    process.exit(1);
  }
}
await chmod(outfile, 0o755);
const { size } = await stat(outfile);
console.log(`built ${path.relative(process.cwd(), outfile)} (${Math.round(size / 1024)} KB) from ${inputs.length} source files`);
