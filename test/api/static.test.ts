// Static file resolution: everything served stays inside the dashboard folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveStatic } from '../../src/api/static.ts';

test('resolveStatic never leaves the root', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-web-'));
  try {
    const root = join(dir, 'dist');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'app.js'), '');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
    assert.equal(resolveStatic(root, '/assets/app.js'), join(root, 'assets', 'app.js'));
    assert.equal(resolveStatic(root, '/'), join(root, 'index.html'));
    assert.equal(resolveStatic(root, '/devices/123'), join(root, 'index.html'), 'client-side routes get the page');
    for (const bad of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/link.txt', '/a%00.js', '/..\\secret.txt', '/%E0%A4%A']) {
      assert.equal(resolveStatic(root, bad), undefined, bad);
    }
    assert.equal(resolveStatic(root, '/missing.js'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
