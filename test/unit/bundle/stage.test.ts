import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dependencyFiles, forgetLocalSources } from '../../../src/bundle/stage.js';
import { tempDir } from '../../support/tmp.js';

test('forgetLocalSources: a file: direct_url.json goes with its RECORD line; a VCS or index one stays', () => {
  const stage = tempDir('stage');
  const dist = (dir: string, url: string) => {
    mkdirSync(join(stage, dir));
    writeFileSync(join(stage, dir, 'direct_url.json'), JSON.stringify({ url, dir_info: {} }));
    writeFileSync(join(stage, dir, 'RECORD'), `pkg/__init__.py,sha256=x,0\n${dir}/direct_url.json,sha256=y,40\n${dir}/RECORD,,\n`);
  };
  dist('app-1.0.dist-info', 'file:///home/someone/checkout/app');
  dist('lib-2.0.dist-info', 'https://github.com/acme/lib');
  forgetLocalSources(stage);
  assert.ok(!existsSync(join(stage, 'app-1.0.dist-info', 'direct_url.json')));
  assert.equal(readFileSync(join(stage, 'app-1.0.dist-info', 'RECORD'), 'utf8'), 'pkg/__init__.py,sha256=x,0\napp-1.0.dist-info/RECORD,,\n');
  assert.ok(existsSync(join(stage, 'lib-2.0.dist-info', 'direct_url.json')));
  assert.match(readFileSync(join(stage, 'lib-2.0.dist-info', 'RECORD'), 'utf8'), /direct_url\.json/);
});

test('dependencyFiles: the files in every RECORD but the project\'s own (quoted paths too)', () => {
  const stage = tempDir('stage');
  const record = (dir: string, lines: string[]) => {
    mkdirSync(join(stage, dir));
    writeFileSync(join(stage, dir, 'RECORD'), `${lines.join('\n')}\n`);
  };
  record('my_app-1.0.dist-info', ['my_app/__init__.py,sha256=x,1', 'my_app-1.0.dist-info/RECORD,,']);
  record('torch-2.13.0.dist-info', ['torch/testing/_internal/py312_intrinsics.py,sha256=y,2', '"torch/odd,name.py",sha256=z,3']);
  const files = dependencyFiles(stage, 'My-App');
  assert.deepEqual([...files].sort(), ['torch/odd,name.py', 'torch/testing/_internal/py312_intrinsics.py']);
  assert.ok(dependencyFiles(stage, undefined).has('my_app/__init__.py'), 'without a project, every distribution is a dependency');
});
