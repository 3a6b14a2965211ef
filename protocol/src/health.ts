/** `GET /api/health` */
export interface HealthStatus {
  status: 'ok' | 'degraded';
  live: boolean;
  ready: boolean;
  checks: { database: 'up' | 'down' };
  version: string;
  uptimeSeconds: number;
}
