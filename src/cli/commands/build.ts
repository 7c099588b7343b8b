import type { Command } from 'commander';
import { relative } from 'node:path';
import type { AppBuildResult } from '../../app/build.ts';
import { buildConfig, type BuildFlags } from '../../config/index.ts';
import { EXIT_CODES } from '../../shared/errors.ts';
import { bold, createReporter, dim, reportFailure } from '../output.ts';
import { addTemplateOptions } from './common.ts';
import type { BuiltArtifact } from '../../package/index.ts';

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function totals(artifacts: BuiltArtifact[], durationMs: number): Record<string, number> {
  const count = (s: BuiltArtifact['status']): number => artifacts.filter((a) => a.status === s).length;
  return {
    artifacts: artifacts.length,
    size: artifacts.reduce((n, a) => n + a.size, 0),
    unzippedSize: artifacts.reduce((n, a) => n + a.unzippedSize, 0),
    rebuilt: count('rebuilt'),
    patched: count('patched'),
    reused: count('reused'),
    durationMs,
  };
}

function table(result: AppBuildResult, durationMs: number, out: NodeJS.WriteStream): string {
  const t = totals(result.artifacts, durationMs);
  const rows = [
    ['artefact', 'kind', 'status', 'zip', 'unzipped', 'CodeSha256'],
    ...result.artifacts.map((a) => [
      a.logicalId,
      a.kind === 'layer' ? 'layer' : a.method,
      a.status,
      size(a.size) + (a.uploadVia === 's3' ? ' (S3)' : ''),
      size(a.unzippedSize),
      a.codeSha256,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r, i) => {
    const line = r.map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(widths[j]!))).join('  ');
    return i === 0 ? dim(line, out) : line;
  });
  const where = relative(process.cwd(), result.outDir) || '.';
  const summary = `${bold(`Built ${t.artifacts} artefact${t.artifacts === 1 ? '' : 's'}`, out)} in ${where} (${t.rebuilt} rebuilt, ${t.patched} patched, ${t.reused} reused) in ${durationMs} ms`;
  return [...lines, summary].join('\n');
}

export function register(program: Command): void {
  addTemplateOptions(
    program
      .command('build')
      .description('package functions and layers into reproducible Lambda zips (only what changed is redone)')
      .argument('[logicalIds...]', 'functions or layers to build (default: all)')
      .option('-o, --out <dir>', 'output folder (default: .slipway/build beside the template)')
      .option('--json', 'print one JSON object: the artefacts and totals')
      .option('--wheelhouse <dir>', 'install Python requirements from this folder of wheels only (no index)')
      .option('--force', 'ignore the build cache and rebuild every artefact')
      .option('--include-tests', 'keep test files (*.test.*, tests/, __tests__/) in the packages')
      .option(
        '--sourcemap',
        'emit source maps for TypeScript handlers Slipway bundles (BuildMethod: esbuild uses Sourcemap)',
      ),
  )
    .addHelpText(
      'after',
      '\nZips are byte-identical for the same sources on any machine (entries sorted, one timestamp:\n' +
        'SOURCE_DATE_EPOCH or 1980-01-01, normalised modes, fixed compression).\n\nExample:\n' +
        '  slipway build\n  slipway build HelloFunction --json',
    )
    .action(async (logicalIds: string[], flags: BuildFlags) => {
      const json = flags.json ?? false;
      const reporter = createReporter({ json, prefixFunction: false, out: process.stderr });
      const started = performance.now();
      try {
        const config = buildConfig(logicalIds, flags, process.env, process.cwd());
        const { buildApp } = await import('../../app/build.ts');
        const result = await buildApp(config, reporter);
        const durationMs = Math.round(performance.now() - started);
        process.stdout.write(
          (json
            ? JSON.stringify({
                outDir: result.outDir,
                template: result.templatePath,
                artifacts: result.artifacts,
                totals: totals(result.artifacts, durationMs),
              })
            : table(result, durationMs, process.stdout)) + '\n',
        );
        process.exitCode = EXIT_CODES.ok;
      } catch (err) {
        process.exitCode = reportFailure(err, json);
      }
    });
}
