import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.client';

/** What a Lua script may return through RESP2 (node-redis's own reply union is wider). */
export type ScriptReply = string | number | null | ScriptReply[];

/**
 * One Lua script, run by digest (EVALSHA) and loaded on demand: after a Redis restart or a
 * SCRIPT FLUSH the first call sees NOSCRIPT and falls back to EVAL, which caches it again.
 * A script runs atomically, so each one is one state transition that no other replica can
 * interleave with.
 */
export class RedisScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: (string | number)[]): Promise<ScriptReply> {
    const options = { keys, arguments: args.map(String) };
    try {
      return (await client.evalSha(this.sha1, options)) as ScriptReply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await client.eval(this.source, options)) as ScriptReply;
    }
  }
}
