// What identifies the hardware behind a device string, as the cache key records it
// (KeyParts['device']): FULL_DEVICE_NAME of each physical device, and DEVICE_ARCHITECTURE on
// GPU. Used to tell whether a bundled entry was made for this machine's device.
import type { RuntimeCore } from '../runtime/runtime-port';
import type { KeyParts } from '../cache/key';

function propertyOr(core: RuntimeCore, device: string, key: string, fallback: string): string {
  try {
    return core.getProperty(device, key);
  } catch {
    return fallback;
  }
}

export function deviceIdentity(core: RuntimeCore, device: string): KeyParts['device'] {
  const colon = device.indexOf(':');
  const physical =
    colon >= 0
      ? device
          .slice(colon + 1)
          .split(',')
          .filter(Boolean)
      : [device];
  const names = physical.map((d) => propertyOr(core, d, 'FULL_DEVICE_NAME', d));
  const archs = physical
    .filter((d) => /^GPU/.test(d))
    .map((d) => propertyOr(core, d, 'DEVICE_ARCHITECTURE', ''))
    .filter(Boolean);
  const identity: KeyParts['device'] = { name: device, fullName: names.join(' | ') };
  if (archs.length > 0) identity.architecture = archs.join(' | ');
  return identity;
}
