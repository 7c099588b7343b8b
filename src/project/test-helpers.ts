/** Helpers for this directory's tests: load a template written to a fresh temporary directory. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SlipwayError } from '../shared/errors.ts';
import { loadProject } from './load.ts';
import type { LoadProjectOptions, Project } from './model.ts';

const DEFAULT_FILES = { 'src/app.js': 'exports.handler = async () => ({});\n' };

export interface TempTemplate {
  dir: string;
  path: string;
}

/** Writes `text` as `<tmp>/my-app/<name>` (plus any extra files) and returns its paths. */
export function writeTemplate(
  text: string,
  name = 'template.yaml',
  files: Record<string, string> = {},
): TempTemplate {
  const dir = join(mkdtempSync(join(tmpdir(), 'slipway-project-')), 'my-app');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return { dir, path };
}

export async function loadText(
  text: string,
  options: Omit<LoadProjectOptions, 'template'> = {},
): Promise<Project> {
  const { path } = writeTemplate(text, 'template.yaml', DEFAULT_FILES);
  return loadProject({ ...options, template: path });
}

/** Loads a template that must fail, and returns the SlipwayError. */
export async function loadError(
  text: string,
  options: Omit<LoadProjectOptions, 'template'> = {},
): Promise<SlipwayError> {
  const { path } = writeTemplate(text, 'template.yaml', DEFAULT_FILES);
  try {
    await loadProject({ ...options, template: path });
  } catch (err) {
    assert.ok(err instanceof SlipwayError, `expected a SlipwayError, got ${String(err)}`);
    assert.equal(err.where?.file, path);
    return err;
  }
  assert.fail('expected loading to fail');
}

/** A SAM template with one Node function and the given extra YAML under Resources / at top level. */
export function samTemplate(resources: string, top = ''): string {
  return `Transform: AWS::Serverless-2016-10-31
${top}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
${resources}`;
}

/** Resolves `expr` (YAML, may use tags) as an output of a minimal template. */
export async function evaluate(
  expr: string,
  top = '',
  options: Omit<LoadProjectOptions, 'template'> = {},
): Promise<unknown> {
  const project = await loadText(samTemplate('', top) + `Outputs:\n  Out:\n    Value: ${expr}\n`, options);
  return project.outputs['Out'];
}
