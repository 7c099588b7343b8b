/** Lambda runtime identifiers Slipway runs, and the ones it accepts with a deprecation notice. */
import { SlipwayError } from '../shared/errors.ts';
import type { FunctionModel, RuntimeFamily } from './model.ts';

export const SUPPORTED_RUNTIMES: readonly string[] = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.8',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'provided',
  'provided.al2',
  'provided.al2023',
];

/** Runtimes AWS has deprecated; they still run here, with a warning. */
export const DEPRECATED_RUNTIMES: readonly string[] = ['nodejs14.x', 'nodejs16.x'];

export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  if (!SUPPORTED_RUNTIMES.includes(runtime) && !DEPRECATED_RUNTIMES.includes(runtime)) return undefined;
  if (runtime.startsWith('nodejs')) return 'nodejs';
  if (runtime.startsWith('python')) return 'python';
  return 'provided';
}

export function isDeprecatedRuntime(runtime: string): boolean {
  return DEPRECATED_RUNTIMES.includes(runtime);
}

/** The closest supported identifier, to suggest for a typo (`nodejs20` → `nodejs20.x`). */
export function suggestRuntime(runtime: string): string | undefined {
  const lower = runtime.toLowerCase().trim();
  return SUPPORTED_RUNTIMES.find((r) => r === lower || r === `${lower}.x` || r.replace('.x', '') === lower);
}

/** The error for a Handler that is not `file.function` (what `slipway dev`, `invoke` and `build` say). */
export function invalidHandlerError(
  fn: Pick<FunctionModel, 'logicalId' | 'runtimeFamily' | 'handler' | 'location'>,
): SlipwayError {
  return new SlipwayError(
    'HandlerInvalid',
    `${fn.logicalId}: Handler '${fn.handler}' is not of the form file.function`,
    {
      where: { ...fn.location, resource: fn.logicalId },
      hint:
        fn.runtimeFamily === 'python'
          ? 'e.g. Handler: app.lambda_handler for app.py'
          : 'e.g. Handler: app.handler for app.js',
    },
  );
}
