// Finding an installed openvino-node for the CLI (doctor, bench --compare): from the current
// folder (the application's node_modules) and from ovcache's own, or where
// OVCACHE_OPENVINO_NODE points (a package folder or a module exporting `addon`).
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../../errors';
import type { OpenvinoNodeAddon } from './addon-types';

export interface LocatedOpenvinoNode {
  /** The module file that was loaded. */
  path: string;
  /** The package's own version (package.json), when it has one. */
  packageVersion: string | undefined;
  addon: OpenvinoNodeAddon;
}

function resolveModule(env: Record<string, string | undefined>, cwd: string): string | { reason: string } {
  const override = env.OVCACHE_OPENVINO_NODE;
  try {
    if (override) return require.resolve(path.resolve(cwd, override));
    return require.resolve('openvino-node', { paths: [cwd, __dirname] });
  } catch {
    return {
      reason: override
        ? `OVCACHE_OPENVINO_NODE=${override} does not name a module`
        : 'the openvino-node package is not installed (npm install openvino-node downloads its runtime at install time)',
    };
  }
}

function packageVersionNear(file: string): string | undefined {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (!fs.existsSync(pkg)) continue;
    try {
      const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      return json.name === 'openvino-node' ? json.version : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The installed openvino-node, loaded, or OVCACHE_OPENVINO_NODE_NOT_FOUND saying why not
 * (not installed, or installed but its runtime does not load).
 */
export function loadOpenvinoNode(options: { env?: Record<string, string | undefined>; cwd?: string } = {}): LocatedOpenvinoNode {
  const resolved = resolveModule(options.env ?? process.env, options.cwd ?? process.cwd());
  if (typeof resolved !== 'string') throw new OvcacheError('OVCACHE_OPENVINO_NODE_NOT_FOUND', resolved.reason);
  let loaded: { addon?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(resolved) as { addon?: unknown };
  } catch (error) {
    throw new OvcacheError(
      'OVCACHE_OPENVINO_NODE_NOT_FOUND',
      `openvino-node is installed (${resolved}) but its runtime does not load: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (loaded.addon === null || typeof loaded.addon !== 'object') {
    throw new OvcacheError('OVCACHE_OPENVINO_NODE_NOT_FOUND', `${resolved} exports no openvino-node addon`);
  }
  return { path: resolved, packageVersion: packageVersionNear(resolved), addon: loaded.addon as OpenvinoNodeAddon };
}
