import { type AppConfig, loadConfig } from '../config/app-config';

/** A valid configuration for unit tests; `overrides` are environment variables. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: 'postgres://callgate:callgate@127.0.0.1:5432/callgate',
    REDIS_URL: 'redis://127.0.0.1:6379',
    JWT_SECRET: 'unit-test-jwt-secret-0123456789abcdef',
    TURN_SECRETS: 'callgate-test-turn-secret-0123456789abcdef',
    TURN_HOST: 'turn.example.test',
    ...overrides,
  });
}
