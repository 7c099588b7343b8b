import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, startDev, type DevProcess } from '../helpers/slipway.ts';

describe('slipway dev hot reload', () => {
  let dev: DevProcess;
  let project: ReturnType<typeof copyProject>;
  before(async () => {
    project = copyProject('examples/hello-api');
    dev = await startDev([], { cwd: project.dir });
  });
  after(async () => {
    await dev?.stop('SIGKILL');
    project?.remove();
  });

  test('a save is served by the next request, with no failed request during a burst of saves', async () => {
    const file = join(project.dir, 'src/hello/app.ts');
    const original = readFileSync(file, 'utf8');
    const get = async (): Promise<{ status: number; message: string }> => {
      const res = await fetch(`${dev.apiUrl}/my-endpoint`);
      const body = (await res.json()) as { message: string };
      return { status: res.status, message: body.message };
    };
    assert.equal((await get()).message, 'Hello, world!');

    // Load runs while saves happen: every request must succeed.
    let stop = false;
    const failed: string[] = [];
    let served = 0;
    const load = (async () => {
      while (!stop) {
        const r = await get().catch((err: unknown) => ({ status: 0, message: String(err) }));
        if (r.status !== 200) failed.push(`${r.status} ${r.message}`);
        served++;
      }
    })();
    const reloads = (): number => dev.lines.filter((x) => x.event === 'reload').length;
    for (let i = 1; i <= 5; i++) {
      const before = reloads();
      writeFileSync(file, original.replace('${name}!`', `\${name}! v${i}\``));
      await dev.waitForLine(() => reloads() > before, 10000);
    }
    // After the last save, the next request sees the new code.
    let last = '';
    for (let tries = 0; tries < 50 && last !== 'Hello, world! v5'; tries++) last = (await get()).message;
    stop = true;
    await load;
    assert.equal(last, 'Hello, world! v5');
    const errors = dev.lines.filter((l) => /ERROR|Runtime\.|Error:/.test(String(l.line ?? l.message)));
    assert.equal(
      failed.length,
      0,
      `${failed.length} of ${served} requests failed during reloads: ${failed.join('; ')}\n` +
        errors.map((l) => String(l.line ?? l.message)).join('\n'),
    );
  });

  test('a broken template keeps the previous one serving and says why', async () => {
    const tpl = join(project.dir, 'template.yaml');
    const original = readFileSync(tpl, 'utf8');
    writeFileSync(tpl, original.replace('Runtime: nodejs20.x', 'Runtime: nodejs99.x'));
    const err = await dev.waitForLine((l) => l.type === 'error' && /nodejs99\.x/.test(String(l.message)));
    assert.match(String(err.message), /template\.yaml:\d+:\d+/);
    const res = await fetch(`${dev.apiUrl}/my-endpoint`);
    assert.equal(res.status, 200);
    const before = dev.lines.filter((l) => l.event === 'template-reload').length;
    writeFileSync(tpl, original);
    await dev.waitForLine(() => dev.lines.filter((l) => l.event === 'template-reload').length > before);
  });
});
