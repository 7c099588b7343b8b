import type { Command } from 'commander';
import type { DeploySummary } from '../../app/deploy.ts';
import { deployConfig, type DeployFlags } from '../../config/index.ts';
import { EXIT_CODES } from '../../shared/errors.ts';
import type { DeployOutcome } from '../../deploy/types.ts';
import { bold, dim, red, yellow } from '../output.ts';
import { reportFailure } from '../output.ts';
import { addProjectOptions } from './common.ts';

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function table(outcomes: DeployOutcome[]): string {
  const out = process.stdout;
  const rows = outcomes.map((o) => [
    o.logicalId,
    o.functionName,
    o.status + (o.version ? ` (version ${o.version})` : ''),
    megabytes(o.bytesSent),
    o.codeSha256,
  ]);
  const head = ['Function', 'Name', 'Result', 'Sent', 'CodeSha256'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [bold(line(head), out)];
  outcomes.forEach((o, i) => {
    const text = line(rows[i] ?? []);
    lines.push(o.status === 'failed' ? red(text, out) : o.status === 'unchanged' ? dim(text, out) : text);
    if (o.error) lines.push(red(`  ${o.logicalId}: ${o.error}`, out));
    if (o.hint) lines.push(`  ${o.hint}`);
  });
  return lines.join('\n');
}

function summaryLine(summary: DeploySummary): string {
  const { updated, unchanged, failed, bytesSent } = summary.totals;
  return `${updated} updated, ${unchanged} unchanged, ${failed} failed; ${megabytes(bytesSent)} sent`;
}

export function register(program: Command): void {
  addProjectOptions(
    program
      .command('deploy')
      .description(
        'build, then update the code of functions that already exist (in AWS or a running slipway dev), sending only what changed',
      )
      .argument('[functions...]', 'logical ids to deploy (default: every function)')
      .option('--quick', 'update function code directly (UpdateFunctionCode), without CloudFormation')
      .option('--out <dir>', 'build output folder (default: .slipway/build beside the template)')
      .option(
        '--endpoint-url <url>',
        "Lambda/S3 endpoint, e.g. a running slipway dev's http://127.0.0.1:4566",
      )
      .option('--profile <name>', 'AWS credentials profile (default: the standard credential chain)')
      .option('--concurrency <n>', 'functions deployed at once', '4')
      .option('--publish', 'publish a version of each updated function')
      .option('--force', 'update even functions whose remote CodeSha256 already matches')
      .option('--s3-bucket <bucket>', 'upload zips through this bucket (required for zips over 50 MB)')
      .option('--s3-prefix <prefix>', 'key prefix for S3 uploads', 'slipway-artifacts')
      .option('--wheelhouse <dir>', 'folder of wheels for Python requirements (pip --no-index --find-links)')
      .option('--json', 'print one JSON object with every outcome (progress is not printed)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  slipway deploy --quick --stack-name my-app\n  slipway deploy --quick --endpoint-url http://127.0.0.1:4566 HelloFunction',
    )
    .action(async (functionIds: string[], flags: DeployFlags) => {
      const json = flags.json ?? false;
      // The SDK's notice about its own future Node.js support is not about this deploy.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      try {
        const config = deployConfig(functionIds, flags, process.env, process.cwd());
        const progress = json
          ? () => undefined
          : (line: string) => process.stderr.write(`${dim(line, process.stderr)}\n`);
        // Loaded when the command runs: the AWS SDK clients cost every other command nothing.
        const { deployQuick } = await import('../../app/deploy.ts');
        const summary = await deployQuick(config, progress, (message) =>
          json ? undefined : process.stderr.write(`${yellow(`warning: ${message}`)}\n`),
        );
        if (json) process.stdout.write(JSON.stringify(summary) + '\n');
        else process.stdout.write(`${table(summary.outcomes)}\n${summaryLine(summary)}\n`);
        process.exitCode = summary.totals.failed > 0 ? EXIT_CODES.functionError : EXIT_CODES.ok;
      } catch (err) {
        process.exitCode = reportFailure(err, json);
      }
    });
}
