// Copies the non-TypeScript assets under src/ (runtime bootstraps written in Python, shell, plain JS)
// into dist/, keeping their relative paths and executable bits.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative, extname } from 'node:path';

const SRC = 'src';
const OUT = 'dist';
const ASSET_EXTENSIONS = new Set(['.py', '.sh', '.mjs', '.cjs', '.json']);

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // Test fixtures and test files are not part of the package.
    if (name === 'fixtures' || name === '__pycache__' || /^test_.*\.py$|^bench_.*\.py$/.test(name)) continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (ASSET_EXTENSIONS.has(extname(name)) || name === 'bootstrap')
      cpSync(path, join(OUT, relative(SRC, path)), { preserveTimestamps: true });
  }
}
walk(SRC);
