import type { Command } from 'commander';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Options every command that loads a template shares. */
export function addTemplateOptions(cmd: Command): Command {
  return cmd
    .option(
      '-t, --template <path>',
      'template file or directory (default: template.yaml|yml|json in the current directory)',
    )
    .option(
      '--parameter-overrides <Key=Value...>',
      "template parameter values, 'Key=Value Key2=Value2' or 'ParameterKey=K,ParameterValue=V' (repeatable)",
      collect,
    )
    .option('--region <region>', 'AWS region the functions see (default: $AWS_REGION or us-east-1)')
    .option('--account-id <id>', '12-digit account id used in ARNs', '123456789012')
    .option(
      '--stack-name <name>',
      "stack name used in generated names (default: the project directory's name)",
    );
}

/** Options every command that loads a template and runs functions shares. */
export function addProjectOptions(cmd: Command): Command {
  return addTemplateOptions(cmd)
    .option(
      '-n, --env-vars <file>',
      "env.json with per-function and 'Parameters' environment variables (sam local format)",
    )
    .option(
      '--runtime-api <transport>',
      "'auto' (fast channel for Node/Python) or 'http' (real Runtime API for all)",
      'auto',
    )
    .option('-d, --debug-port <port>', 'start environments under a debugger listening on this port');
}
