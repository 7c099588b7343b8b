import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScheduleExpression, type Schedule } from './schedule.ts';

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();
const next = (expr: string, from: string): string | undefined => {
  const s = parseScheduleExpression(expr) as Extract<Schedule, { kind: 'cron' }>;
  return iso(s.next(Date.parse(from)));
};

test('rate expressions: singular for 1, plural otherwise', () => {
  assert.deepEqual(parseScheduleExpression('rate(1 minute)'), { kind: 'rate', periodMs: 60_000 });
  assert.deepEqual(parseScheduleExpression('rate(5 minutes)'), { kind: 'rate', periodMs: 300_000 });
  assert.deepEqual(parseScheduleExpression('rate(2 hours)'), { kind: 'rate', periodMs: 7_200_000 });
  assert.deepEqual(parseScheduleExpression('rate(1 day)'), { kind: 'rate', periodMs: 86_400_000 });
  for (const bad of [
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(-1 minutes)',
    'rate(1 week)',
    'rate()',
    'every 5 minutes',
  ])
    assert.throws(() => parseScheduleExpression(bad), Error, bad);
});

test('cron: the docs examples fire at the next matching UTC minute', () => {
  // 10:15 AM UTC every day
  assert.equal(next('cron(15 10 * * ? *)', '2024-03-05T09:00:00Z'), '2024-03-05T10:15:00.000Z');
  assert.equal(next('cron(15 10 * * ? *)', '2024-03-05T10:15:00Z'), '2024-03-06T10:15:00.000Z');
  // 6:00 PM Monday through Friday
  assert.equal(next('cron(0 18 ? * MON-FRI *)', '2024-03-08T18:30:00Z'), '2024-03-11T18:00:00.000Z');
  // 8:00 AM on the first day of the month
  assert.equal(next('cron(0 8 1 * ? *)', '2024-03-05T00:00:00Z'), '2024-04-01T08:00:00.000Z');
  // Every 10 min on weekdays
  assert.equal(next('cron(0/10 * ? * MON-FRI *)', '2024-03-08T23:55:00Z'), '2024-03-11T00:00:00.000Z');
  assert.equal(next('cron(0/10 * ? * MON-FRI *)', '2024-03-06T12:01:00Z'), '2024-03-06T12:10:00.000Z');
  // Every 5 minutes between 8:00 AM and 5:55 PM weekdays
  assert.equal(next('cron(0/5 8-17 ? * MON-FRI *)', '2024-03-06T17:55:00Z'), '2024-03-07T08:00:00.000Z');
  // 9:00 AM on the first Monday of each month
  assert.equal(next('cron(0 9 ? * 2#1 *)', '2024-03-05T00:00:00Z'), '2024-04-01T09:00:00.000Z');
  // minute granularity: seconds inside the current minute move to the next one
  assert.equal(next('cron(* * * * ? *)', '2024-03-05T10:00:30Z'), '2024-03-05T10:01:00.000Z');
});

test('cron: L, W, LW, nL, names, years', () => {
  assert.equal(next('cron(0 0 L * ? *)', '2024-02-01T00:00:00Z'), '2024-02-29T00:00:00.000Z');
  assert.equal(next('cron(0 0 L * ? *)', '2023-02-01T00:00:00Z'), '2023-02-28T00:00:00.000Z');
  // 2024-06-15 is a Saturday: nearest weekday is Friday 14th
  assert.equal(next('cron(0 0 15W * ? *)', '2024-06-01T00:00:00Z'), '2024-06-14T00:00:00.000Z');
  // 2024-09-01 is a Sunday: 1W is Monday the 2nd (never crosses into the previous month)
  assert.equal(next('cron(0 0 1W * ? *)', '2024-08-31T00:00:00Z'), '2024-09-02T00:00:00.000Z');
  // Last weekday of June 2024 (30th is Sunday): Friday 28th
  assert.equal(next('cron(0 0 LW * ? *)', '2024-06-01T00:00:00Z'), '2024-06-28T00:00:00.000Z');
  // Last Friday (6L) of March 2024: the 29th
  assert.equal(next('cron(0 12 ? * 6L *)', '2024-03-01T00:00:00Z'), '2024-03-29T12:00:00.000Z');
  assert.equal(next('cron(0 12 ? JAN,JUL SUN *)', '2024-03-01T00:00:00Z'), '2024-07-07T12:00:00.000Z');
  assert.equal(next('cron(0 0 1 1 ? 2030)', '2024-03-01T00:00:00Z'), '2030-01-01T00:00:00.000Z');
  assert.equal(next('cron(0 0 1 1 ? 2020)', '2024-03-01T00:00:00Z'), undefined);
});

test('cron: invalid expressions', () => {
  for (const bad of [
    'cron(0 0 * * * *)', // both day fields given
    'cron(0 0 ? * ? *)', // neither
    'cron(0 0 * *)',
    'cron(60 0 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 0 32 * ? *)',
    'cron(0 0 ? * 8 *)',
    'cron(0 0 ? FOO * *)',
    'cron(0 0 ? * 2#6 *)',
    'cron(0/0 0 * * ? *)',
    'cron(0 5-2 * * ? *)',
  ])
    assert.throws(() => parseScheduleExpression(bad), Error, bad);
});
