/**
 * EventBridge schedule expressions ("Schedule expressions for rules"): `rate(value unit)` and
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC to the minute.
 *
 * cron fields: minutes 0-59, hours 0-23, day-of-month 1-31 (`? L W`, `LW`, `15W`), month 1-12 or
 * JAN-DEC, day-of-week 1-7 or SUN-SAT with 1 = Sunday (`? L #`, `6L` last Friday, `2#1` first
 * Monday), year 1970-2199; `,` lists, `-` ranges, `*` all, `/` increments. Exactly one of
 * day-of-month and day-of-week is `?`.
 */

export type Schedule =
  | { kind: 'rate'; periodMs: number }
  | { kind: 'cron'; fields: CronFields; next(afterMs: number): number | undefined };

const MINUTE = 60_000;
const RATE_UNITS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MAX_YEAR = 2199;

export class ScheduleExpressionError extends Error {}

/** Parses a schedule expression; throws ScheduleExpressionError naming what is wrong. */
export function parseScheduleExpression(expression: string): Schedule {
  const rate = /^rate\((.*)\)$/.exec(expression.trim());
  if (rate) return parseRate((rate[1] as string).trim());
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) {
    const fields = parseCron((cron[1] as string).trim());
    return { kind: 'cron', fields, next: (after) => nextCronTime(fields, after) };
  }
  throw new ScheduleExpressionError('expected rate(value unit) or cron(fields)');
}

function parseRate(body: string): Schedule {
  const m = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m)
    throw new ScheduleExpressionError('rate takes a positive whole number and minute(s), hour(s) or day(s)');
  const value = Number(m[1]);
  const unit = m[2] as string;
  const singular = unit.replace(/s$/, '');
  if (value <= 0) throw new ScheduleExpressionError('rate value must be positive');
  if ((value === 1) !== (unit === singular))
    throw new ScheduleExpressionError('rate unit must be singular for 1 and plural otherwise');
  return { kind: 'rate', periodMs: value * (RATE_UNITS[singular] as number) };
}

export interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years: Set<number>;
  /** Undefined when the field is `?`. */
  dayOfMonth?: DayOfMonth;
  dayOfWeek?: DayOfWeek;
}

interface DayOfMonth {
  days: Set<number>;
  last: boolean;
  lastWeekday: boolean;
  nearestWeekday?: number;
}
interface DayOfWeek {
  days: Set<number>;
  /** `6L`: the last such weekday of the month (1-7). */
  lastOf?: number;
  /** `2#1`: [weekday 1-7, nth]. */
  nth?: [number, number];
}

function parseCron(body: string): CronFields {
  const parts = body.split(/\s+/);
  if (parts.length !== 6) throw new ScheduleExpressionError('cron takes six fields');
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    throw new ScheduleExpressionError('exactly one of day-of-month and day-of-week must be ?');
  const fields: CronFields = {
    minutes: parseList(min, 0, 59, 'minutes'),
    hours: parseList(hour, 0, 23, 'hours'),
    months: parseList(month, 1, 12, 'month', MONTHS),
    years: parseList(year, 1970, MAX_YEAR, 'year'),
  };
  if (dom !== '?') fields.dayOfMonth = parseDayOfMonth(dom);
  if (dow !== '?') fields.dayOfWeek = parseDayOfWeek(dow);
  return fields;
}

function parseDayOfMonth(text: string): DayOfMonth {
  if (text === 'L') return { days: new Set(), last: true, lastWeekday: false };
  if (text === 'LW') return { days: new Set(), last: false, lastWeekday: true };
  const w = /^(\d+)W$/.exec(text);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) throw new ScheduleExpressionError('day-of-month W takes a day 1-31');
    return { days: new Set(), last: false, lastWeekday: false, nearestWeekday: day };
  }
  return { days: parseList(text, 1, 31, 'day-of-month'), last: false, lastWeekday: false };
}

function parseDayOfWeek(text: string): DayOfWeek {
  if (text === 'L') return { days: new Set([7]) };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { days: new Set(), lastOf: parseValue(last[1] as string, 1, 7, 'day-of-week', DAYS) };
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new ScheduleExpressionError('day-of-week # takes 1-5');
    return { days: new Set(), nth: [parseValue(nth[1] as string, 1, 7, 'day-of-week', DAYS), n] };
  }
  return { days: parseList(text, 1, 7, 'day-of-week', DAYS) };
}

function parseValue(text: string, lo: number, hi: number, name: string, names?: string[]): number {
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= lo && value <= hi))
    throw new ScheduleExpressionError(`${name}: ${text} is not in ${lo}-${hi}`);
  return value;
}

function parseList(text: string, lo: number, hi: number, name: string, names?: string[]): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new ScheduleExpressionError(`${name}: bad increment ${item}`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [lo, hi];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [parseValue(a, lo, hi, name, names), parseValue(b, lo, hi, name, names)];
    } else {
      from = parseValue(range, lo, hi, name, names);
      to = stepText === undefined ? from : hi;
    }
    if (from > to) throw new ScheduleExpressionError(`${name}: range ${range} runs backwards`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday, as AWS cron counts. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const wd = weekday(year, month, d);
  if (wd === 7) return d === 1 ? 3 : d - 1;
  if (wd === 1) return d === last ? d - 2 : d + 1;
  return d;
}

function dayMatches(f: CronFields, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const dom = f.dayOfMonth;
  if (dom) {
    if (dom.last) return day === last;
    if (dom.lastWeekday) return day === nearestWeekday(year, month, last);
    if (dom.nearestWeekday !== undefined) return day === nearestWeekday(year, month, dom.nearestWeekday);
    return dom.days.has(day);
  }
  const dow = f.dayOfWeek as DayOfWeek;
  const wd = weekday(year, month, day);
  if (dow.lastOf !== undefined) return wd === dow.lastOf && day + 7 > last;
  if (dow.nth) return wd === dow.nth[0] && Math.ceil(day / 7) === dow.nth[1];
  return dow.days.has(wd);
}

/** The first matching minute strictly after `afterMs` (UTC), or undefined when none is left. */
export function nextCronTime(f: CronFields, afterMs: number): number | undefined {
  const start = new Date(Math.floor(afterMs / MINUTE) * MINUTE + MINUTE);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let minuteOfDay = start.getUTCHours() * 60 + start.getUTCMinutes();
  const hours = [...f.hours].sort((a, b) => a - b);
  const minutes = [...f.minutes].sort((a, b) => a - b);
  while (year <= MAX_YEAR) {
    if (!f.years.has(year)) {
      [year, month, day, minuteOfDay] = [year + 1, 1, 1, 0];
      continue;
    }
    if (!f.months.has(month) || day > daysInMonth(year, month)) {
      month++;
      if (month > 12) [year, month] = [year + 1, 1];
      [day, minuteOfDay] = [1, 0];
      continue;
    }
    if (dayMatches(f, year, month, day)) {
      for (const h of hours)
        for (const m of minutes) if (h * 60 + m >= minuteOfDay) return Date.UTC(year, month - 1, day, h, m);
    }
    [day, minuteOfDay] = [day + 1, 0];
  }
  return undefined;
}
