import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.ts';
import { SlipwayError } from '../shared/errors.ts';

function router(routes: Array<[string, string]>): Router<string> {
  const r = new Router<string>();
  for (const [method, path] of routes)
    r.add(method, path, `${method} ${path}`, `Api (function ${method}${path})`);
  return r;
}

const table = router([
  ['GET', '/pets/dog/1'],
  ['GET', '/pets/dog/{id}'],
  ['GET', '/pets/{proxy+}'],
  ['ANY', '/{proxy+}'],
  ['GET', '/'],
  ['ANY', '/users'],
  ['POST', '/users'],
  ['GET', '/users/{id}'],
  ['GET', '/users/{id}/friends/{friendId}'],
  ['ANY', '$default'],
]);

function hit(method: string, path: string): [string, Record<string, string> | null] | undefined {
  const m = table.match(method, path);
  return m && [m.value, m.params];
}

test('literal beats {param} beats {proxy+}; method-aware backtracking (the HTTP API guide example)', () => {
  assert.deepEqual(hit('GET', '/pets/dog/1'), ['GET /pets/dog/1', null]);
  assert.deepEqual(hit('GET', '/pets/dog/2'), ['GET /pets/dog/{id}', { id: '2' }]);
  assert.deepEqual(hit('GET', '/pets/cat/1'), ['GET /pets/{proxy+}', { proxy: 'cat/1' }]);
  assert.deepEqual(hit('POST', '/pets/dog/1'), ['ANY /{proxy+}', { proxy: 'pets/dog/1' }]);
});

test('a specific method beats ANY at the same path', () => {
  assert.deepEqual(hit('POST', '/users'), ['POST /users', null]);
  assert.deepEqual(hit('DELETE', '/users'), ['ANY /users', null]);
});

test('root, trailing slash, several parameters', () => {
  assert.deepEqual(hit('GET', '/'), ['GET /', null]);
  assert.deepEqual(hit('GET', '/users/'), ['ANY /users', null]);
  assert.deepEqual(hit('GET', '/users/7/friends/9/'), [
    'GET /users/{id}/friends/{friendId}',
    { id: '7', friendId: '9' },
  ]);
});

test('path parameters are URL-decoded; greedy joins the decoded rest', () => {
  assert.deepEqual(hit('GET', '/users/a%20b'), ['GET /users/{id}', { id: 'a b' }]);
  assert.deepEqual(hit('GET', '/users/%E2%9C%93'), ['GET /users/{id}', { id: '✓' }]);
  assert.deepEqual(hit('GET', '/users/%zz'), ['GET /users/{id}', { id: '%zz' }]);
  assert.deepEqual(hit('PUT', '/a/b%2Fc/d'), ['ANY /{proxy+}', { proxy: 'a/b/c/d' }]);
});

test('a greedy variable needs at least one segment; $default catches the rest', () => {
  const r = router([['ANY', '/{proxy+}']]);
  assert.equal(r.match('GET', '/'), undefined);
  assert.deepEqual(hit('DELETE', '/'), ['ANY $default', null]);
});

test('an empty segment never matches a {param}', () => {
  const r = router([['GET', '/a/{id}/b']]);
  assert.equal(r.match('GET', '/a//b'), undefined);
});

test('the same method and path shape twice is a RouteConflict naming both owners', () => {
  const r = new Router<string>();
  r.add('GET', '/users/{id}', 'a', 'ServerlessRestApi (function GetUser)');
  assert.throws(
    () => r.add('GET', '/users/{userId}', 'b', 'MyHttpApi (function OtherUser)'),
    (err: unknown) =>
      err instanceof SlipwayError &&
      err.code === 'RouteConflict' &&
      err.message.includes('ServerlessRestApi (function GetUser)') &&
      err.message.includes('MyHttpApi (function OtherUser)') &&
      err.message.includes('GET /users/{userId}'),
  );
  r.add('POST', '/users/{id}', 'c', 'x'); // another method is no conflict
  assert.throws(() => {
    r.add('ANY', '$default', 'd', 'A');
    r.add('ANY', '$default', 'e', 'B');
  }, /RouteConflict|declared twice/);
});

test('a greedy variable that is not last is refused', () => {
  assert.throws(() => new Router<string>().add('GET', '/{proxy+}/x', 'a', 'A'), /last segment/);
});

test('fuzz: random paths and methods never throw, and matches are consistent', () => {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = [
    'a',
    'users',
    'pets',
    'dog',
    '1',
    '%',
    '%2',
    '%41',
    '',
    '{x}',
    '..',
    '+',
    '%E2%9C',
    '?',
    '#',
    ' ',
  ];
  const methods = ['GET', 'POST', 'ANY', 'DELETE', 'OPTIONS', 'get', ''];
  for (let i = 0; i < 5000; i++) {
    const n = rand(6);
    let path = '';
    for (let j = 0; j < n; j++) path += '/' + (alphabet[rand(alphabet.length)] as string);
    if (rand(4) === 0) path += '/';
    if (path === '') path = rand(2) ? '/' : '';
    const m = table.match(methods[rand(methods.length)] as string, path);
    if (m?.params) for (const v of Object.values(m.params)) assert.equal(typeof v, 'string');
  }
});
