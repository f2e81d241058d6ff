// `ovcache keygen <dir>`: writes an Ed25519 key pair for signed entries (docs/fleet.md, Trust)
// and prints the public key, the one to trust. The private key stays in <dir> (0600, folder 0700).
import type { Command } from 'commander';
import { writeKeyPair } from '../../trust/keygen';
import { print, printJson } from '../cache-dir-option';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('write an Ed25519 key pair for signing entries and print the public key')
    .argument('<dir>', 'the folder to write the keys into (made owner-only)')
    .option('--json', 'print { privateKeyPath, publicKeyPath, publicKeyPem, keyId }')
    .action((dir: string, opts: { json?: boolean }) => {
      const files = writeKeyPair(dir);
      if (opts.json) {
        printJson(files);
        return;
      }
      print(`Private key (keep secret, give with --sign or OVCACHE_SIGNING_KEY): ${files.privateKeyPath}`);
      print(`Public key (trust it with --trust, trustedKeys or OVCACHE_TRUSTED_KEYS): ${files.publicKeyPath}`);
      print(`Key id: ${files.keyId}\n`);
      process.stdout.write(files.publicKeyPem);
    });
}
