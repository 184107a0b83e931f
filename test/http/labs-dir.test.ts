// LABS_DIR: a course's own folder of labs replaces the bundled ones; a folder that is not
// there, or a malformed lab in it, stops the start with a message naming it.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { build } from '../helpers/build.js';

const LABS = fileURLToPath(new URL('../../labs', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-labs-'));
  dirs.push(dir);
  return dir;
};

describe('LABS_DIR', () => {
  it('serves the labs of the folder it names, and only those', async () => {
    const dir = folder();
    copyFileSync(join(LABS, '04-huge-pages.yaml'), join(dir, 'my-lab.yaml'));
    const { labsDir } = loadConfig({ LABS_DIR: dir });
    expect(labsDir).toBe(dir);
    const t = await build({ ...(labsDir !== undefined && { labsDir }) });
    try {
      const list = await t.api.get('/v1/labs');
      expect(list.status).toBe(200);
      expect(list.body.labs.map((l: { id: string }) => l.id)).toEqual(['huge-pages']);
      expect((await t.api.post('/v1/labs/huge-pages/sessions').send({ student: 'ada' })).status).toBe(201);
      expect((await t.api.get('/v1/labs/six-roots')).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('is the bundled labs/ when unset', () => {
    expect(loadConfig({}).labsDir).toBeUndefined();
  });

  it('refuses a folder that is not there, and a malformed lab in it', async () => {
    expect(() => loadConfig({ LABS_DIR: join(folder(), 'nope') })).toThrow(ConfigError);
    expect(() => loadConfig({ LABS_DIR: join(folder(), 'nope') })).toThrow(/LABS_DIR is not a folder/);
    const dir = folder();
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad\n');
    await expect(build({ labsDir: dir })).rejects.toThrow(/lab bad\.yaml: does not match the lab schema/);
  });
});
