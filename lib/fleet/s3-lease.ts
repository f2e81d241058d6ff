// Leases in an object store, by conditional writes: a PUT with If-None-Match: * creates the
// lease object only if none exists; the holder renews it with If-Match: <its ETag>; an
// expired lease is replaced with If-Match: <the ETag read>, so of two processes taking over a
// dead holder's lease only one succeeds. This needs a store that enforces conditional writes
// (AWS S3 since 2024, MinIO, R2); on one that ignores them every process "gets" the lease:
// no wrong entry results, only compiles that are not shared.
import crypto from 'node:crypto';
import os from 'node:os';
import type * as S3 from '@aws-sdk/client-s3';
import { logger } from '../log';
import { HeldLeases, renewalInterval } from './held-leases';
import type { Lease, LeaseProvider } from './tier';

const log = logger('fleet');

interface LeaseBody {
  token: string;
  holder: string;
  expiresAt: number;
}

/** 412 Precondition Failed, or 409 when a concurrent conditional write won. */
function isConflict(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || status === 409;
}

export class S3Leases implements LeaseProvider {
  private readonly held = new HeldLeases();

  constructor(
    private readonly sdk: typeof S3,
    private readonly client: S3.S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    readonly name: string,
    /** Bounds every call: acquiring, renewing and releasing (the fleet's timeoutMs). */
    private readonly timeoutMs = 5000,
  ) {}

  /** Each request is aborted after timeoutMs: a store that does not answer holds nothing up. */
  private bounded(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }

  private async put(
    key: string,
    ttlMs: number,
    token: string,
    condition: { IfNoneMatch: '*' } | { IfMatch: string },
  ): Promise<string | null> {
    const body: LeaseBody = { token, holder: `${os.hostname()}:${process.pid}`, expiresAt: Date.now() + ttlMs };
    try {
      const out = await this.client.send(
        new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: JSON.stringify(body), ...condition }),
        this.bounded(),
      );
      return out.ETag ?? '';
    } catch (error) {
      if (isConflict(error)) return null;
      throw error;
    }
  }

  private async read(key: string): Promise<{ body: LeaseBody | undefined; etag: string } | undefined> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), this.bounded());
      const text = (await out.Body?.transformToString('utf8')) ?? '';
      let body: LeaseBody | undefined;
      try {
        body = JSON.parse(text) as LeaseBody;
      } catch {
        body = undefined;
      }
      return { body, etag: out.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async tryAcquire(key: string, ttlMs: number): Promise<Lease | null> {
    const token = crypto.randomBytes(16).toString('hex');
    let etag = await this.put(key, ttlMs, token, { IfNoneMatch: '*' });
    if (etag === null) {
      const current = await this.read(key);
      if (current === undefined) etag = await this.put(key, ttlMs, token, { IfNoneMatch: '*' });
      else if (current.body === undefined || current.body.expiresAt < Date.now()) {
        log('lease %s of %s expired: taking it over', key, current.body?.holder ?? '?');
        etag = await this.put(key, ttlMs, token, { IfMatch: current.etag });
      }
    }
    if (etag === null) return null;
    return this.hold(key, ttlMs, token, etag);
  }

  private hold(key: string, ttlMs: number, token: string, firstEtag: string): Lease {
    let etag = firstEtag;
    return this.held.track(key, {
      what: key,
      everyMs: renewalInterval(ttlMs),
      renew: async () => {
        const next = await this.put(key, ttlMs, token, { IfMatch: etag });
        if (next === null) return 'another process replaced it';
        etag = next;
        return null;
      },
      release: async () => {
        const current = await this.read(key);
        if (current?.body?.token === token)
          await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), this.bounded());
      },
    });
  }

  async close(): Promise<void> {
    await this.held.releaseAll();
  }
}

/** True for "no such object" answers (404 / NoSuchKey / NotFound). */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
