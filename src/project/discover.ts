/** Finding the template: a file, or `template.yaml` / `template.yml` / `template.json` in a directory. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SlipwayError } from '../shared/errors.ts';

export const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

export function findTemplate(template: string | undefined, cwd: string): string {
  const target = resolve(cwd, template ?? '.');
  let tried: string[];
  if (existsSync(target) && statSync(target).isDirectory()) {
    tried = TEMPLATE_NAMES.map((name) => join(target, name));
    const found = tried.find((p) => existsSync(p) && statSync(p).isFile());
    if (found) return found;
  } else if (existsSync(target)) {
    return target;
  } else {
    tried = [target];
  }
  throw new SlipwayError('TemplateNotFound', `no template found; tried ${tried.join(', ')}`, {
    where: { file: target },
    hint: 'run in the directory holding template.yaml, or pass --template path/to/template.yaml',
  });
}
