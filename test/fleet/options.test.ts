// Fleet options, warm manifests and remote manifests: bad input is a clear error with a stable
// code; a remote manifest that does not hash to its key is never an entry.
import assert from 'node:assert/strict';
import { withDeadline } from '../../lib/fleet/deadline';
import { Fleet } from '../../lib/fleet/fleet';
import { requireOptional } from '../../lib/fleet/optional-require';
import { parseRemoteManifest } from '../../lib/fleet/remote-manifest';
import { parseWarmManifest, resolveManifestPaths } from '../../lib/fleet/warm-manifest';
import { deriveKey, KEY_FORMAT, type KeyParts } from '../../lib/cache/key';
import { entryName } from '../../lib/cache/entry/name';
import { expectCode } from '../cache/helpers';

const parts: KeyParts = {
  format: KEY_FORMAT,
  model: { name: 'mlp', files: [{ role: 'xml', sha256: 'a'.repeat(64), size: 10 }] },
  inputs: [{ name: 'x', shape: '[1,16]', elementType: 'f32' }],
  device: { name: 'CPU', fullName: 'A CPU' },
  config: {},
  runtime: { buildNumber: '2025.4.0' },
};
const key = deriveKey(parts);

function remote(overrides: Record<string, unknown> = {}, entry: Record<string, unknown> = {}): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    format: 1,
    key,
    name: entryName(parts, key),
    uploadId: 'ab'.repeat(16),
    files: [{ name: '123.blob', bytes: 5, sha256: 'c'.repeat(64) }],
    entry: {
      format: 1,
      key,
      parts,
      modelPaths: [],
      sources: [{ kind: 'model' }],
      files: [{ name: '123.blob', bytes: 5 }],
      bytes: 5,
      createdAt: now,
      lastUsedAt: now,
      hits: 0,
      compileMs: 1,
      importMs: null,
      complete: true,
      writer: { pid: 1, hostname: 'h' },
      ...entry,
    },
    publishedAt: now,
    publisher: { hostname: 'h', pid: 1 },
    ...overrides,
  });
}

describe('fleet: options and manifests', () => {
  it('rejects a misspelled tier option with a hint, and a tier of no known kind', async () => {
    await expectCode(() => new Fleet({ tiers: [{ path: '/x', readonly: true } as never] }), 'OVCACHE_UNKNOWN_OPTION', /readonly.*readOnly/);
    await expectCode(
      () => new Fleet({ tiers: [{ bucket: 'b' } as never] }),
      'OVCACHE_INVALID_ARGUMENT',
      /Expected a tier \(\{ path \} or \{ s3: \{ bucket \} \}\) for tiers\.tiers\[0\]/,
    );
    await expectCode(
      () => new Fleet({ tiers: [], publish: 'later' as never }),
      'OVCACHE_INVALID_ARGUMENT',
      /"background" or "sync" for tiers\.publish/,
    );
    await expectCode(() => new Fleet({ tiers: [], leaseTtlMs: 10 }), 'OVCACHE_INVALID_ARGUMENT', /leaseTtlMs/);
  });

  it('accepts S3 credentials an AWS SDK client already wrote its markers into ($source), and still names a misspelled field', async () => {
    // The SDK adds `$source` to a credentials object it is given; a caller sharing one object
    // with its own S3 client must not be refused (a test doing so broke every later S3 test).
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b', $source: { CREDENTIALS_CODE: 'e' } };
    const fleet = new Fleet({ tiers: [{ s3: { bucket: 'b', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials } }] });
    await fleet.close();
    await expectCode(
      () =>
        new Fleet({ tiers: [{ s3: { bucket: 'b', credentials: { accessKeyId: 'a', secretAccessKey: 'b', sesionToken: 'x' } } } as never] }),
      'OVCACHE_UNKNOWN_OPTION',
      /sesionToken/,
    );
  });

  it('a coordinator URL that is not a redis:// URL is OVCACHE_INVALID_ARGUMENT at construction, without its password', async () => {
    await expectCode(
      () => new Fleet({ tiers: [], coordinator: { redis: 'not a url' } }),
      'OVCACHE_INVALID_ARGUMENT',
      'Expected a redis:// or rediss:// URL (redis://host:6379) for tiers.coordinator.redis but received "not a url" of type string',
    );
    await expectCode(() => new Fleet({ tiers: [], coordinator: { redis: 'http://h:6379' } }), 'OVCACHE_INVALID_ARGUMENT', /redis:\/\//);
    const error = await expectCode(
      () => new Fleet({ tiers: [], coordinator: { redis: 'redis://user:s3cret@h:not-a-port' } }),
      'OVCACHE_INVALID_ARGUMENT',
      /coordinator\.redis/,
    );
    assert.doesNotMatch(String((error as Error).message), /s3cret/);
  });

  it('a remote manifest is an entry only when its parts hash to the key it is stored under', () => {
    assert.equal(parseRemoteManifest(remote(), key).status, 'ok');
    const other = deriveKey({ ...parts, config: { PERFORMANCE_HINT: 'LATENCY' } });
    assert.deepEqual(parseRemoteManifest(remote(), other), { status: 'invalid', reason: 'key does not match' });
    const forged = remote({}, { parts: { ...parts, runtime: { buildNumber: '2026.0.0' } } });
    assert.deepEqual(parseRemoteManifest(forged, key), { status: 'invalid', reason: 'entry parts do not hash to the key' });
    assert.match(
      (parseRemoteManifest(remote({ files: [{ name: '../x', bytes: 1, sha256: 'c'.repeat(64) }] }), key) as { reason: string }).reason,
      /plain name/,
    );
    assert.deepEqual(parseRemoteManifest(remote({}, { complete: false }), key), { status: 'invalid', reason: 'entry is not complete' });
    assert.equal(parseRemoteManifest('{"format":', key).status, 'invalid');
  });

  it('warm manifests: JSON and YAML read the same; relative paths resolve from the manifest folder; mistakes are named', async () => {
    const yaml = parseWarmManifest(
      'models:\n  - model: m/a.xml\n    shapes: { x: [1, 16] }\ntiers:\n  - path: shared\n    readOnly: true\n',
    );
    const json = parseWarmManifest(
      JSON.stringify({ models: [{ model: 'm/a.xml', shapes: { x: [1, 16] } }], tiers: [{ path: 'shared', readOnly: true }] }),
    );
    assert.deepEqual(yaml, json);
    const resolved = resolveManifestPaths(yaml, '/deploy');
    assert.equal(resolved.models[0]?.model, '/deploy/m/a.xml');
    assert.deepEqual(resolved.tiers, [{ path: '/deploy/shared', readOnly: true }]);
    await expectCode(
      () => parseWarmManifest('models: []', 'w.yaml'),
      'OVCACHE_WARM_MANIFEST_INVALID',
      'w.yaml: models: expected a non-empty list',
    );
    await expectCode(
      () => parseWarmManifest('models:\n  - model: a.xml\n    devcie: GPU\n', 'w.yaml'),
      'OVCACHE_WARM_MANIFEST_INVALID',
      /w\.yaml: models\[0\]: unknown field "devcie" \(did you mean "device"\?\)/,
    );
    await expectCode(
      () => parseWarmManifest('models:\n  - model: a.xml\ntiers:\n  - s3: {}\n', 'w.yaml'),
      'OVCACHE_WARM_MANIFEST_INVALID',
      /s3\.bucket/,
    );
    await expectCode(() => parseWarmManifest('models: [', 'w.yaml'), 'OVCACHE_WARM_MANIFEST_INVALID', /not valid YAML or JSON/);
  });

  it('a tier call past its deadline is OVCACHE_TIER_UNAVAILABLE, and its signal is aborted', async () => {
    let aborted = false;
    await expectCode(
      withDeadline('s3://b/ manifest', 20, (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => undefined);
      }),
      'OVCACHE_TIER_UNAVAILABLE',
      's3://b/ manifest did not answer within 20 ms',
    );
    assert.equal(aborted, true);
  });

  it('a missing optional client package is OVCACHE_PEER_MISSING, naming the package', async () => {
    await expectCode(
      () => requireOptional('ovcache-no-such-package', 'An S3 tier'),
      'OVCACHE_PEER_MISSING',
      'An S3 tier needs the npm package ovcache-no-such-package, an optional peer dependency: npm install ovcache-no-such-package',
    );
  });
});
