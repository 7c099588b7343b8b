// The peers Slipway is measured against: installed on demand into bench/peers (never part of npm test
// or CI), checked before use, and started guarded (memory cap + time bound, see proc.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CAP_MB, freePort, jsonReady, startGuarded } from './proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const BENCH = resolve(here, '..');
export const ROOT = resolve(BENCH, '..');
export const PEERS_DIR = join(BENCH, 'peers');
const PEERS_MODULES = join(PEERS_DIR, 'node_modules');
const INSTALL_TIMEOUT_MS = 5 * 60_000;

const wanted = () =>
  Object.keys(JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')).dependencies);
const versionIn = (modulesDir, name) => {
  try {
    return JSON.parse(readFileSync(join(modulesDir, name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};

/**
 * Install bench/peers/package.json's packages unless they are all present. Resolves
 * { ok, installed, reason? }; never throws (a failed install is reported per peer).
 */
export async function ensurePeersInstalled(log) {
  const missing = wanted().filter((name) => !versionIn(PEERS_MODULES, name));
  if (!missing.length) return { ok: true, installed: false };
  log(
    `installing the benchmark's peers into bench/peers/node_modules (${missing.join(', ')}) — once, about a minute`,
  );
  const t0 = performance.now();
  const child = spawn(
    'npm',
    ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--loglevel=error'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const progress = setInterval(
    () => log(`  … npm install running (${Math.round((performance.now() - t0) / 1000)} s)`),
    10_000,
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
  const code = await new Promise((r) => {
    child.once('exit', (c, s) => r(c ?? s));
    child.once('error', (e) => r(e.message));
  });
  clearInterval(progress);
  clearTimeout(timer);
  const still = wanted().filter((name) => !versionIn(PEERS_MODULES, name));
  if (code === 0 && !still.length) {
    log(`  installed in ${Math.round((performance.now() - t0) / 1000)} s`);
    return { ok: true, installed: true };
  }
  return {
    ok: false,
    installed: false,
    reason: `npm install in bench/peers failed (${code}); missing: ${still.join(', ')}`,
  };
}

/** Which peers can run here, with their versions or the reason they cannot: { name: { ok, version, reason } }. */
export function peerStatus(install) {
  const status = {};
  const fromPeers = (key, pkg) => {
    const version = versionIn(PEERS_MODULES, pkg);
    status[key] = version
      ? { ok: true, version: `${pkg}@${version}` }
      : {
          ok: false,
          reason: `${pkg} is not installed in bench/peers (${install.reason ?? 'npm install did not run'})`,
        };
  };
  fromPeers('serverless', 'serverless');
  fromPeers('serverless-offline', 'serverless-offline');
  fromPeers('lambda-local', 'lambda-local');
  fromPeers('vega', 'vega');
  fromPeers('vega-lite', 'vega-lite');
  if (status.serverless.ok && !status['serverless-offline'].ok)
    status.serverless = status['serverless-offline'];
  const s3rver = versionIn(join(ROOT, 'node_modules'), 's3rver');
  status.s3rver = s3rver
    ? { ok: true, version: `s3rver@${s3rver}` }
    : { ok: false, reason: 's3rver is not installed (it is a devDependency: run npm install at the root)' };
  const moto = spawnSync('python3', ['-c', 'import moto, moto.server; print(moto.__version__)'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  status.moto =
    moto.status === 0
      ? { ok: true, version: `moto@${moto.stdout.trim()} (python3 -m moto.server)` }
      : {
          ok: false,
          reason: `python3 -m moto.server is not available: ${(moto.stderr || moto.error?.message || '').trim().split('\n').pop()}`,
        };
  return status;
}

/** Import a module installed in bench/peers (vega, vega-lite). */
export async function importPeer(name) {
  const require = createRequire(join(PEERS_DIR, 'package.json'));
  const mod = await import(require.resolve(name));
  return mod.default && Object.keys(mod).length === 1 ? mod.default : mod;
}

export const LAMBDA_LOCAL_CLI = join(PEERS_MODULES, 'lambda-local/build/cli.js');

/**
 * serverless-offline (Serverless Framework v3) serving the benchmark's no-op function from a
 * temporary service directory: serverless.yml + the same src/noop.mjs. `flags` picks the mode
 * ([] = worker threads, its default; ['--useInProcess']; ['--reloadHandler']). Node gets
 * --max-old-space-size and the watchdog caps the whole process at capMb.
 * Resolves { guard, url, lambdaEndpoint, functionName, handlerFile, dir }.
 */
export async function startServerlessOffline({ label, flags = [], capMb = DEFAULT_CAP_MB, timeoutMs, tmp }) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-sls-'));
  tmp?.push(dir);
  cpSync(join(BENCH, 'fixtures/serverless/serverless.yml'), join(dir, 'serverless.yml'));
  mkdirSync(join(dir, 'src'));
  cpSync(join(BENCH, 'fixtures/noop/src/noop.mjs'), join(dir, 'src/noop.mjs'));
  symlinkSync(PEERS_MODULES, join(dir, 'node_modules'), 'dir');
  const httpPort = await freePort();
  const lambdaPort = await freePort();
  const guard = await startGuarded({
    label,
    command: process.execPath,
    args: [
      `--max-old-space-size=${capMb}`,
      join(PEERS_MODULES, 'serverless/bin/serverless.js'),
      'offline',
      'start',
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
      ...flags,
    ],
    cwd: dir,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_DEPRECATION_DISABLE: '*',
      SLS_INTERACTIVE_SETUP_DISABLE: '1',
    },
    ready: (line) => (line.includes('Server ready') ? true : undefined),
    capMb,
    timeoutMs,
    readyTimeoutMs: 60_000,
  });
  return {
    guard,
    dir,
    url: `http://127.0.0.1:${httpPort}/noop`,
    lambdaEndpoint: `http://127.0.0.1:${lambdaPort}`,
    functionName: 'bench-dev-noop',
    handlerFile: join(dir, 'src/noop.mjs'),
  };
}

/** s3rver@3 on 127.0.0.1:0 with its own directory. Resolves { guard, endpoint }. */
export async function startS3rver(directory, { timeoutMs } = {}) {
  const code = `
    import S3rver from 's3rver';
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)} });
    const { port } = await server.run();
    process.stdout.write(JSON.stringify({ type: 'ready', port }) + '\\n');
    process.on('SIGINT', () => server.close().then(() => process.exit(0)));
  `;
  const guard = await startGuarded({
    label: 's3rver',
    command: process.execPath,
    args: [`--max-old-space-size=${DEFAULT_CAP_MB}`, '--input-type=module', '-e', code],
    cwd: ROOT,
    ready: jsonReady,
    timeoutMs,
  });
  return { guard, endpoint: `http://127.0.0.1:${guard.info.port}` };
}

/** moto's server (python3 -m moto.server) on a free loopback port. Resolves { guard, endpoint }. */
export async function startMoto({ timeoutMs } = {}) {
  const port = await freePort();
  const guard = await startGuarded({
    label: 'moto_server',
    command: 'python3',
    args: ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    ready: (line) => (line.includes('Running on') ? true : undefined),
    timeoutMs,
  });
  return { guard, endpoint: `http://127.0.0.1:${port}` };
}

/** Does `path` exist (for optional scenario modules)? */
export const exists = (path) => existsSync(path);
