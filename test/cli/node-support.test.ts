// Node 20 stays supported: the CLI keeps the AWS SDK's Node-version warning off its stderr, and
// leaves a user's own choice alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AWS_NODE_WARNING_SWITCH, quietAwsNodeWarning } from '../../lib/cli/node-support';
import { ROOT } from '../helpers/paths';

/** What the SDK itself prints for a Node 20 process, after `setup` ran in that process. */
function sdkWarningAfter(setup: string): string {
  const script = `${setup}; require('@aws-sdk/core').emitWarningIfUnsupportedVersion('v20.0.0');`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[AWS_NODE_WARNING_SWITCH];
  return spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env }).stderr;
}

describe('ovcache under Node 20', () => {
  it('the AWS SDK warns under Node 20 unless the switch is set (what the CLI guards against)', () => {
    assert.match(sdkWarningAfter(''), /NodeVersionSupportWarning/);
  });

  it('ovcache tier-gc on S3 prints its own error and no AWS SDK Node-version warning (fails on Node 20 without the guard)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' };
    delete env[AWS_NODE_WARNING_SWITCH];
    const cli = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
    // Port 9 (discard) on loopback refuses at once: the S3 client is created, then fails to connect.
    const r = spawnSync(process.execPath, [cli, 'tier-gc', 's3://bucket-x/p', '--endpoint', 'http://127.0.0.1:9', '--dry-run'], {
      encoding: 'utf8',
      env,
    });
    assert.match(r.stderr, /OVCACHE_TIER_UNAVAILABLE/);
    assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning/);
  });

  it('sets the switch only under Node < 22, and never over a value the user gave', () => {
    const env20: NodeJS.ProcessEnv = {};
    quietAwsNodeWarning(env20, '20.20.2');
    assert.equal(env20[AWS_NODE_WARNING_SWITCH], 'true');
    const env22: NodeJS.ProcessEnv = {};
    quietAwsNodeWarning(env22, '22.1.0');
    assert.equal(env22[AWS_NODE_WARNING_SWITCH], undefined);
    const own: NodeJS.ProcessEnv = { [AWS_NODE_WARNING_SWITCH]: 'false' };
    quietAwsNodeWarning(own, '20.20.2');
    assert.equal(own[AWS_NODE_WARNING_SWITCH], 'false');
  });
});
