/**
 * Evaluation of the IAM policy a Lambda authorizer returns, against the request's method ARN
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, as API Gateway does:
 * an explicit Deny wins, else an Allow that matches, else an implicit deny. `Action` must match
 * `execute-api:Invoke` (wildcards allowed); `Resource` / `NotResource` use IAM wildcards (`*`
 * any run of characters, `?` one character). `Condition` blocks are not evaluated locally (a
 * statement with a Condition applies unconditionally) — said in the log by the caller.
 */

export type PolicyDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface PolicyStatement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

const patternCache = new Map<string, RegExp>();

/** Compiles an IAM wildcard pattern (cached; policies repeat). */
function wildcard(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

export function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.indexOf('*') === -1 && pattern.indexOf('?') === -1) return pattern === value;
  return wildcard(pattern).test(value);
}

function list(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return undefined;
}

function anyMatch(patterns: string[], value: string, ignoreCase: boolean): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  return patterns.some((p) => wildcardMatch(ignoreCase ? p.toLowerCase() : p, v));
}

/** Statements of a policy document, or a reason why it is not one. */
export function policyStatements(
  doc: unknown,
): { ok: true; statements: PolicyStatement[] } | { ok: false; reason: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, reason: 'policyDocument must be an object' };
  }
  const s = (doc as { Statement?: unknown }).Statement;
  if (Array.isArray(s)) {
    if (s.every((x) => typeof x === 'object' && x !== null))
      return { ok: true, statements: s as PolicyStatement[] };
  } else if (typeof s === 'object' && s !== null) return { ok: true, statements: [s] };
  return { ok: false, reason: 'policyDocument.Statement must be a statement or a list of statements' };
}

function applies(st: PolicyStatement, methodArn: string): boolean {
  const action = 'execute-api:Invoke';
  const actions = list(st.Action);
  const notActions = list(st.NotAction);
  if (actions) {
    if (!anyMatch(actions, action, true)) return false;
  } else if (notActions) {
    if (anyMatch(notActions, action, true)) return false;
  } else return false;
  const resources = list(st.Resource);
  const notResources = list(st.NotResource);
  if (resources) return anyMatch(resources, methodArn, false);
  if (notResources) return !anyMatch(notResources, methodArn, false);
  return false;
}

export function evaluatePolicy(statements: PolicyStatement[], methodArn: string): PolicyDecision {
  let allowed = false;
  for (const st of statements) {
    if (!applies(st, methodArn)) continue;
    const effect = typeof st.Effect === 'string' ? st.Effect : '';
    if (effect === 'Deny') return 'ExplicitDeny';
    if (effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD><path>` (path keeps its leading `/`). */
export function methodArn(
  region: string,
  accountId: string,
  apiId: string,
  stage: string,
  method: string,
  path: string,
): string {
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}/${method}${path}`;
}
