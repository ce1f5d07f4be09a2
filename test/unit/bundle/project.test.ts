import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readProject } from '../../../src/bundle/project.js';
import { PybinError } from '../../../src/plumbing/errors.js';
import { tempDir } from '../../support/tmp.js';

/** An app dir with this pyproject.toml (none when undefined). */
function app(pyproject?: string): string {
  const dir = tempDir('project');
  if (pyproject !== undefined) writeFileSync(join(dir, 'pyproject.toml'), pyproject);
  return dir;
}

test('no pyproject.toml: a plain app dir, not installable, without scripts or name', () => {
  const project = readProject(app());
  assert.equal(project.installable, false);
  assert.deepEqual(project.scripts, {});
  assert.equal(project.name, undefined);
  assert.equal(project.requiresPython, undefined);
});

test('[project] gives the name, the scripts and requires-python, and makes the app installable', () => {
  const project = readProject(app(`
[project]
name = "hello-tool"
requires-python = ">=3.11"

[project.scripts]
hello = "hello.cli:main"
hello-admin = "hello.admin:run"
`));
  assert.deepEqual(project, {
    name: 'hello-tool',
    scripts: { hello: 'hello.cli:main', 'hello-admin': 'hello.admin:run' },
    requiresPython: '>=3.11',
    installable: true,
  });
});

test('[build-system] alone makes the app installable, with nothing else known', () => {
  const project = readProject(app(`
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
`));
  assert.equal(project.installable, true);
  assert.equal(project.name, undefined);
  assert.equal(project.requiresPython, undefined);
  assert.deepEqual(project.scripts, {});
});

test('a pyproject with only tool tables is not installable', () => {
  const project = readProject(app('[tool.ruff]\nline-length = 100\n'));
  assert.equal(project.installable, false);
  assert.deepEqual(project.scripts, {});
});

test('invalid TOML is an app error naming the file', () => {
  const dir = app('[project\nname = "broken"\n');
  assert.throws(
    () => readProject(dir),
    (error: unknown) => error instanceof PybinError && error.input === 'app' && error.message.includes(join(dir, 'pyproject.toml')) && /not valid TOML/.test(error.message),
  );
});

test('script values that are not strings are ignored, as are non-string names and requires-python', () => {
  const project = readProject(app(`
[project]
name = 42
requires-python = 3.11

[project.scripts]
good = "pkg.cli:main"
number = 1
table = { module = "pkg" }
list = ["pkg:main"]
`));
  assert.deepEqual(project.scripts, { good: 'pkg.cli:main' });
  assert.equal(project.name, undefined);
  assert.equal(project.requiresPython, undefined);
  assert.equal(project.installable, true);
});
