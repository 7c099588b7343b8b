import type { Command } from 'commander';
import type { startDev } from '../../app/dev.ts';
import { devConfig, type DevFlags } from '../../config/index.ts';
import { EXIT_CODES } from '../../shared/errors.ts';
import { bold, createReporter, dim, reportFailure } from '../output.ts';
import { addProjectOptions } from './common.ts';

export function register(program: Command): void {
  addProjectOptions(
    program
      .command('dev')
      .description('run the whole app locally: functions, APIs and the AWS endpoint; reload on save')
      .option('-p, --port <port>', 'port of the AWS endpoint (health at /_slipway/health)', '4566')
      .option('--api-port <port>', "port serving the template's APIs", '3000')
      .option('--host <host>', 'address to bind (loopback by default)', '127.0.0.1')
      .option('--no-watch', 'do not reload code and template on save')
      .option(
        '--state-dir <dir>',
        'where buckets, queues and streams are kept (default: .slipway/ beside the template)',
      )
      .option('--ephemeral', 'keep all service state in memory; nothing is written to disk')
      .option(
        '--seed-dir <dir>',
        'load <dir>/<bucket>/** into each bucket at start-up (bucket name or logical id)',
      )
      .option(
        '--concurrency <n>',
        'environments per function started at once before concurrent requests queue (default: CPU cores, at least 2)',
      )
      .option('--json', 'print one JSON object per line (ready, logs, reloads) for scripts'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  slipway dev --template examples/hello-api/template.yaml --api-port 3000',
    )
    .action(async (flags: DevFlags) => {
      const startedAt = performance.now();
      const json = flags.json ?? false;
      const reporter = createReporter({ json, prefixFunction: true, out: process.stderr });
      let instance: Awaited<ReturnType<typeof startDev>>;
      try {
        // Loaded on use: `slipway --help` and the other commands need none of it.
        const { startDev } = await import('../../app/dev.ts');
        instance = await startDev(devConfig(flags, process.env, process.cwd()), reporter, startedAt);
      } catch (err) {
        process.exitCode = reportFailure(err, json);
        return;
      }
      const { project } = instance;
      if (json) {
        process.stdout.write(
          JSON.stringify({
            type: 'ready',
            stackName: project.stackName,
            template: project.templatePath,
            endpoint: instance.edgeUrl,
            apiUrl: instance.apiUrl ?? null,
            functions: [...project.functions.values()].map((f) => ({
              logicalId: f.logicalId,
              functionName: f.functionName,
              runtime: f.runtime,
            })),
            readyMs: Math.round(instance.readyMs),
          }) + '\n',
        );
      } else {
        const lines = [
          `${bold('Slipway')} ${project.stackName} ${dim(`(${project.templatePath})`)}`,
          `  Functions: ${[...project.functions.values()].map((f) => `${f.logicalId} ${dim(f.runtime)}`).join(', ') || 'none'}`,
        ];
        if (instance.routeTable) lines.push('  API routes:', instance.routeTable);
        lines.push(`  AWS endpoint: ${instance.edgeUrl} ${dim('(health: /_slipway/health)')}`);
        lines.push(
          `Ready in ${Math.round(instance.readyMs)} ms. ${flags.watch === false ? '' : 'Watching for changes. '}Ctrl-C to stop.`,
        );
        process.stdout.write(lines.join('\n') + '\n');
      }
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        if (!json) process.stdout.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping…\n`);
        instance.close().then(
          () => process.exit(EXIT_CODES.ok),
          (err: unknown) => process.exit(reportFailure(err, json)),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
