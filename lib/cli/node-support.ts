// Node 20 is past its end of life (April 2026) but still supported by ovcache (docs/api.md,
// "Supported Node versions"). Under it the AWS SDK warns, once per process, that its releases
// after January 2027 need Node 22. The CLI is our own process: its stderr stays for our messages,
// so the CLI (not the library, whose process is the application's) turns that one warning off.

/** The SDK's documented switch for its Node-version warning. */
export const AWS_NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Sets the switch under Node < 22 unless the user set it either way. */
export function quietAwsNodeWarning(env: NodeJS.ProcessEnv = process.env, nodeVersion = process.versions.node): void {
  const major = Number(nodeVersion.split('.')[0]);
  if (major < 22 && env[AWS_NODE_WARNING_SWITCH] === undefined) env[AWS_NODE_WARNING_SWITCH] = 'true';
}
