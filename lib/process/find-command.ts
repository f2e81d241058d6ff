// Resolves a command name to an absolute file the way a shell would, but only through absolute
// PATH entries: an empty or relative entry ('', '.', 'bin') means "the current folder", which
// a caller may not control, so it is never searched. ovcache spawns the absolute path it gets.
import fs from 'node:fs';
import path from 'node:path';

/** The absolute path of `name` on env.PATH (PATHEXT on Windows), or undefined when none. */
export function findCommand(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const entries = (pathVariable(env, platform) ?? '').split(platform === 'win32' ? ';' : ':');
  const extensions = platform === 'win32' ? windowsExtensions(name, env) : [''];
  for (const dir of entries) {
    if (dir === '' || !pathApi.isAbsolute(dir)) continue;
    for (const ext of extensions) {
      const file = pathApi.join(dir, name + ext);
      if (isExecutableFile(file, platform)) return file;
    }
  }
  return undefined;
}

/** PATH, or Path / path as Windows spells it. */
function pathVariable(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env.PATH;
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return key === undefined ? undefined : env[key];
}

function windowsExtensions(name: string, env: NodeJS.ProcessEnv): string[] {
  if (path.win32.extname(name) !== '') return [''];
  return (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter((e) => e !== '')
    .map((e) => e.toLowerCase());
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
