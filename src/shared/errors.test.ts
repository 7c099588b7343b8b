import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError, formatError } from './errors.ts';

test('formatError names the code, the place and the hint', () => {
  const err = new SlipwayError('TemplateInvalid', 'bad thing', {
    where: { file: 'template.yaml', line: 3, column: 5, resource: 'Fn' },
    hint: 'fix it',
  });
  assert.equal(
    formatError(err),
    'error[TemplateInvalid]: bad thing\n  at template.yaml:3:5 (resource Fn)\n  hint: fix it',
  );
});
