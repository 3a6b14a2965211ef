/** `GET /api/health` */
export interface HealthStatus {
  status: 'ok' | 'degraded';
  live: boolean;
  ready: boolean;
  checks: { database: 'up' | 'down'; redis: 'up' | 'down' };
  /** Which gateway replica answered (the same name its sockets are registered under). */
  replica: string;
  version: string;
  uptimeSeconds: number;
}
