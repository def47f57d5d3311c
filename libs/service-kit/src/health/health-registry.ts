import { Injectable } from '@nestjs/common';

/** One dependency a service needs to do its work: its database, the broker, the object store, … */
export interface HealthCheck {
  name: string;
  /** Resolves (optionally with details) when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<Record<string, unknown> | void>;
}

/**
 * Modules register the dependencies they own (persistence registers `database`, messaging `broker`, …),
 * so `/health` reports exactly what this service uses without a central list to keep in sync.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(check: HealthCheck): void {
    this.checks.set(check.name, check);
  }

  list(): HealthCheck[] {
    return [...this.checks.values()];
  }
}

/** Gives up on a dependency that does not answer, so /health itself always answers promptly. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
