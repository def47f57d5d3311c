import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import { LegacyKeyFile } from '../keys';

/** A version 1 key file as Arca wrote it before slots, written out here with node:crypto. */
export function legacyKeyFile(passphrase: string): { file: LegacyKeyFile; encryptionKey: Buffer; idKey: Buffer } {
  const [encryptionKey, idKey, salt, nonce] = [randomBytes(32), randomBytes(32), randomBytes(16), randomBytes(12)];
  const repositoryId = randomBytes(16).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', scryptSync(passphrase, salt, 32, { N: 1024, r: 8, p: 1 }), nonce);
  cipher.setAAD(Buffer.from(`arca-key:${repositoryId}`));
  const wrapped = Buffer.concat([cipher.update(Buffer.concat([encryptionKey, idKey])), cipher.final(), cipher.getAuthTag()]);
  const file: LegacyKeyFile = { version: 1, repositoryId, kdf: { name: 'scrypt', N: 1024, r: 8, p: 1, salt: salt.toString('base64') }, nonce: nonce.toString('base64'), wrapped: wrapped.toString('base64'), createdAt: '2026-01-01T00:00:00.000Z' };
  return { file, encryptionKey, idKey };
}
