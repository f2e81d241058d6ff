// The CLI loads only the command it runs (main.ts's COMMANDS): the program built for one command
// has that command alone, with the options the full program gives it; `--version` loads none.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../lib/cli/main';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function optionsOf(command: Command): string[] {
  return [...command.options.map((o) => o.flags), ...command.commands.flatMap((sub) => optionsOf(sub).map((f) => `${sub.name()} ${f}`))];
}

describe('ovcache start-up: one command loaded', () => {
  const all = buildProgram().commands;

  it('the full program has every command once', () => {
    const names = all.map((c) => c.name());
    assert.ok(names.length >= 18, names.join(' '));
    assert.equal(new Set(names).size, names.length);
  });

  it('each command alone is the same command as in the full program (name, options, subcommands)', () => {
    for (const command of all) {
      const alone = buildProgram([command.name(), '--help']).commands;
      assert.deepEqual(
        alone.map((c) => c.name()),
        [command.name()],
      );
      assert.deepEqual(optionsOf(alone[0] as Command), optionsOf(command), command.name());
    }
  });

  it('--version and -V load no command; anything else (help, an unknown name) loads them all', () => {
    assert.deepEqual(buildProgram(['--version']).commands, []);
    assert.deepEqual(buildProgram(['-V']).commands, []);
    for (const argv of [[], ['--help'], ['help', 'ls'], ['lss'], ['--dir', 'ls']])
      assert.equal(buildProgram(argv).commands.length, all.length, argv.join(' '));
  });

  it('the installed command still prints its version, suggests a near name and runs a command', () => {
    const version = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const typo = spawnSync(process.execPath, [CLI, 'lss'], { encoding: 'utf8' });
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /unknown command 'lss'[\s\S]*Did you mean ls\?/);
    const help = spawnSync(process.execPath, [CLI, 'du', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: ovcache du/);
  });
});

describe('start-up: what importing ovcache and running a command load', () => {
  /** The files under node_modules/<pkg>/ and dist/lib/cli/commands/ a script has loaded, by package or command. */
  function loadedBy(script: string): { packages: string[]; commands: string[]; lib: string[] } {
    const probe = `${script}
      const files = Object.keys(require.cache);
      const packages = [...new Set(files.map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean))];
      const commands = files.map((f) => /cli\\/commands\\/([^/]+)\\.js$/.exec(f)?.[1]).filter(Boolean);
      const lib = files.map((f) => /dist\\/lib\\/(.+)\\.js$/.exec(f)?.[1]).filter(Boolean);
      process.on('exit', () => process.stderr.write('LOADED:' + JSON.stringify({ packages, commands, lib }) + '\\n'));`;
    const r = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
    const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED:'));
    assert.ok(line, r.stderr);
    return JSON.parse(line.slice('LOADED:'.length)) as { packages: string[]; commands: string[]; lib: string[] };
  }

  it('importing the package loads no Redis client, YAML parser, LMDB, lock library or debug logger (each is loaded on first use)', () => {
    const { packages } = loadedBy(`require('./dist/lib/index.js');`);
    assert.ok(packages.includes('lru-cache'), `the probe sees packages: ${packages.join(' ')}`);
    for (const deferred of ['ioredis', 'yaml', 'lmdb', 'proper-lockfile', 'graceful-fs', 'signal-exit', 'debug'])
      assert.ok(!packages.includes(deferred), `${deferred}: ${packages.join(' ')}`);
  });

  /** A compile of the mlp fixture in a fresh process on `dir`: what was loaded when the caller got its model, and after dispose. */
  function compileLoads(dir: string, env: NodeJS.ProcessEnv = {}): { hit: boolean; atReturn: string[]; atEnd: string[]; stderr: string } {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const { ModelCache, loadOpenVINOSync } = require('./dist/lib/index.js');
        const packages = () => [...new Set(Object.keys(require.cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean))];
        const cache = new ModelCache({ runtime: loadOpenVINOSync({ libraryPath: ${JSON.stringify(STAND_IN)} }), dir: ${JSON.stringify(dir)} });
        cache.compile(${JSON.stringify(path.join(ROOT, 'out', 'fixtures', 'mlp.xml'))}, { device: 'CPU' }).then(async (r) => {
          const atReturn = packages();
          r.compiled.dispose();
          await cache.dispose();
          process.stdout.write(JSON.stringify({ hit: r.hit, atReturn, atEnd: packages() }));
        });`,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
    );
    assert.equal(r.status, 0, r.stderr);
    return { ...(JSON.parse(r.stdout) as { hit: boolean; atReturn: string[]; atEnd: string[] }), stderr: r.stderr };
  }

  it('a warm start has its model before the lock library loads; the hit still reaches the manifest', () => {
    const tmp = makeTempDir('ovcache-warm-loads-');
    try {
      const dir = path.join(tmp, 'cache');
      const cold = compileLoads(dir);
      assert.equal(cold.hit, false);
      assert.ok(cold.atReturn.includes('proper-lockfile'), 'a miss fills under the entry lock');
      const warm = compileLoads(dir);
      assert.equal(warm.hit, true);
      assert.ok(!warm.atReturn.includes('proper-lockfile'), warm.atReturn.join(' '));
      assert.ok(warm.atEnd.includes('proper-lockfile'), 'the touch took the lock after the return');
      const [entry] = fs.readdirSync(path.join(dir, 'entries'));
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'entries', entry as string, 'ovcache-entry.json'), 'utf8')) as {
        hits: number;
      };
      assert.equal(manifest.hits, 1);
    } finally {
      removeDir(tmp);
    }
  });

  it("a host's process.once shutdown handler, registered before the first lock, runs to its end (signal-exit, loaded with the lock library, goes first)", () => {
    const tmp = makeTempDir('ovcache-signal-order-');
    try {
      for (const signal of ['SIGTERM', 'SIGINT']) {
        const r = spawnSync(
          process.execPath,
          [
            '-e',
            `const { ModelCache, loadOpenVINOSync } = require('./dist/lib/index.js');
            const cache = new ModelCache({ runtime: loadOpenVINOSync({ libraryPath: ${JSON.stringify(STAND_IN)} }), dir: ${JSON.stringify(path.join(tmp, signal))} });
            process.once(${JSON.stringify(signal)}, async () => {
              await new Promise((r) => setTimeout(r, 200));
              await cache.dispose();
              process.stdout.write('disposed');
              process.exit(0);
            });
            cache.compile(${JSON.stringify(path.join(ROOT, 'out', 'fixtures', 'mlp.xml'))}, { device: 'CPU' }).then((r) => {
              r.compiled.dispose();
              process.kill(process.pid, ${JSON.stringify(signal)});
              setInterval(() => undefined, 1000);
            });`,
          ],
          { cwd: ROOT, encoding: 'utf8' },
        );
        assert.equal(r.signal, null, `${signal}: the process was killed by ${r.signal} before its handler finished`);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, 'disposed', signal);
      }
    } finally {
      removeDir(tmp);
    }
  });

  it('debug logging: DEBUG=ovcache:<part> and OVCACHE_DEBUG=1 log; without them `debug` is never loaded', () => {
    const tmp = makeTempDir('ovcache-debug-loads-');
    try {
      const dir = path.join(tmp, 'cache');
      const quiet = compileLoads(dir);
      assert.ok(!quiet.atEnd.includes('debug'), quiet.atEnd.join(' '));
      assert.equal(quiet.stderr, '');
      const part = compileLoads(dir, { DEBUG: 'ovcache:cache' });
      assert.match(part.stderr, /ovcache:cache hit mlp-/);
      assert.doesNotMatch(part.stderr, /ovcache:(?!cache )/);
      const all = compileLoads(dir, { OVCACHE_DEBUG: '1' });
      assert.match(all.stderr, /ovcache:cache hit mlp-/);
      const other = compileLoads(dir, { DEBUG: 'express:*' });
      assert.equal(other.stderr, '', 'another package named in DEBUG: ovcache stays quiet');
    } finally {
      removeDir(tmp);
    }
  });

  const lazyParts = /^(registry|results|fleet|trust|rewarm|dashboard|adapters)\/|^history\/(index|reader)$|^cache\/verify$/;

  it('require(ovcache) loads the runtime and the model cache; registry, results, fleet, signing, rewarm and scans on first use', () => {
    const { lib } = loadedBy(`require('./dist/lib/index.js');`);
    assert.ok(lib.includes('cache/model-cache') && lib.includes('openvino/openvino'), lib.join(' '));
    assert.deepEqual(
      lib.filter((file) => lazyParts.test(file)),
      [],
      'loaded at import (built with tsc alone? `npm run build:ts` runs scripts/lazy-index.js after it)',
    );
    const touched = loadedBy(
      `const ov = require('./dist/lib/index.js'); void ov.ModelRegistry; void ov.ResultCache; void ov.verifyCache;`,
    ).lib;
    for (const file of ['registry/index', 'results/result-cache', 'cache/verify'])
      assert.ok(touched.includes(file), `${file}: ${touched.join(' ')}`);
    assert.ok(!touched.some((file) => file.startsWith('trust/')), 'naming the registry does not load signing');
  });

  it('every name of the package is defined, and the same object through require and import', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS entry as a user requires it
    const cjs = require(path.join(ROOT, 'dist', 'lib', 'index.js')) as Record<string, unknown>;
    const esm = (await import(path.join(ROOT, 'dist', 'lib', 'index.mjs'))) as Record<string, unknown>;
    const names = Object.keys(cjs);
    assert.ok(names.length >= 40, names.join(' '));
    for (const name of names) {
      assert.notEqual(cjs[name], undefined, name);
      assert.equal(esm[name], cjs[name], name);
    }
    assert.deepEqual(
      Object.keys(esm)
        .filter((n) => n !== 'default')
        .sort(),
      [...names].sort(),
    );
  });

  it('a ModelCache without tiers never loads lib/fleet or lib/trust; one with a tier does', () => {
    const make = (options: string): string[] =>
      loadedBy(`
        const os = require('node:os'), fs = require('node:fs'), p = require('node:path');
        const tmp = fs.mkdtempSync(p.join(os.tmpdir(), 'ovcache-lazy-'));
        const { ModelCache, loadOpenVINOSync } = require('./dist/lib/index.js');
        const cache = new ModelCache({ runtime: loadOpenVINOSync({ libraryPath: ${JSON.stringify(STAND_IN)} }), dir: p.join(tmp, 'cache'), ${options} });
        cache.dispose().finally(() => fs.rmSync(tmp, { recursive: true, force: true }));`).lib;
    const plain = make('');
    assert.ok(plain.includes('model-cache'), plain.join(' '));
    assert.deepEqual(
      plain.filter((file) => /^(fleet|trust|rewarm)\//.test(file)),
      [],
    );
    const tiered = make(`tiers: [{ path: p.join(tmp, 'shared') }]`);
    assert.ok(tiered.includes('fleet/fleet') && tiered.includes('fleet/entry-tiers'), tiered.join(' '));
  });

  it('a result cache on Redis or a folder, and a warm manifest, still load them when used', () => {
    const { packages } = loadedBy(`
      const { ResultCache } = require('./dist/lib/index.js');
      const { parseWarmManifest } = require('./dist/lib/fleet/warm-manifest.js');
      void new ResultCache({ dir: false, redis: 'redis://127.0.0.1:9', redisTimeout: 100 }).close();
      try { parseWarmManifest('models: []'); } catch {}`);
    assert.ok(packages.includes('ioredis'), packages.join(' '));
    assert.ok(packages.includes('yaml'), packages.join(' '));
    const store = loadedBy(`
      const { ResultCache } = require('./dist/lib/index.js');
      const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'ovcache-lmdb-'));
      void new ResultCache({ dir }).close().then(() => require('node:fs').rmSync(dir, { recursive: true, force: true }));`);
    assert.ok(store.packages.includes('lmdb'), store.packages.join(' '));
  });

  it('`ovcache ls` loads the ls command alone; `ovcache --version` none', () => {
    const run = (argv: string[]): string[] =>
      loadedBy(`require('./dist/lib/cli/main.js').main(${JSON.stringify(argv)}).catch(() => undefined);`).commands;
    assert.deepEqual(run(['ls', '--dir', path.join(ROOT, 'no-such-cache-folder'), '--json']), ['ls']);
    assert.deepEqual(run(['--version']), []);
  });

  /** Runs one whole bench trial in a fresh process; returns the dist/lib modules (and packages) it loaded. */
  function trialLoads(engine: 'openvino' | 'ovcache', mode: 'no-cache' | 'cold'): { lib: string[]; packages: string[] } {
    const tmp = makeTempDir('ovcache-trial-');
    try {
      const preload = path.join(tmp, 'loaded.js');
      fs.writeFileSync(
        preload,
        `process.on('exit', () => {
          const files = Object.keys(require.cache);
          const lib = files.map((f) => /dist\\/lib\\/(.+)\\.js$/.exec(f)?.[1]).filter(Boolean);
          const packages = [...new Set(files.map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean))];
          process.stderr.write('LOADED:' + JSON.stringify({ lib, packages }) + '\\n');
        });`,
      );
      const spec = {
        engine,
        mode,
        model: path.join(ROOT, 'out', 'fixtures', 'mlp.xml'),
        device: 'CPU',
        cacheDir: path.join(tmp, 'cache'),
        libraryPath: STAND_IN,
      };
      const r = spawnSync(process.execPath, ['-r', preload, path.join(ROOT, 'dist', 'lib', 'bench', 'child.js'), JSON.stringify(spec)], {
        encoding: 'utf8',
        env: { ...process.env, OVCACHE_NO_HISTORY: '1' },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /RESULT/);
      const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED:'));
      assert.ok(line, r.stderr);
      return JSON.parse(line.slice('LOADED:'.length)) as { lib: string[]; packages: string[] };
    } finally {
      removeDir(tmp);
    }
  }

  it("a bench trial of OpenVINO's own CACHE_DIR or no cache loads what OpenVINO alone needs; ovcache's loads the package as a user imports it", () => {
    const ovcacheOnly = (lib: string[]): string[] =>
      lib.filter((file) => /^(index|cache|fleet|results|history|registry|model-cache|adapters)\b/.test(file));
    for (const mode of ['no-cache', 'cold'] as const) {
      const { lib } = trialLoads('openvino', mode);
      assert.ok(lib.includes('openvino/openvino'), lib.join(' '));
      assert.deepEqual(ovcacheOnly(lib), [], mode);
    }
    const ours = trialLoads('ovcache', 'cold');
    for (const file of ['index', 'model-cache', 'cache/model-cache', 'history/attach']) assert.ok(ours.lib.includes(file), file);
    // As `require('ovcache')` in a service that uses the model cache alone.
    for (const file of ['results/index', 'registry/index', 'fleet/fleet']) assert.ok(!ours.lib.includes(file), file);
  });
});
