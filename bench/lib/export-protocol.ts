/** What the audit export benchmark and its child server (bench/audit-export-server.ts) agree on. */

/** The child's environment: the store to serve and the auditor key the parent generated. */
export const SERVER_ENV = { auditUrl: 'BENCH_AUDIT_URL', auditorKey: 'BENCH_AUDITOR_KEY' } as const;

/** The real streaming route, and the buffering variant served beside it for contrast. */
export const EXPORT_PATHS = { streaming: '/v1/audit', buffered: '/bench/audit-buffered' } as const;
export type ExportMode = keyof typeof EXPORT_PATHS;

export const RSS_PATH = '/bench/rss';

/** What `GET /bench/rss` answers, in bytes. `maxRss` is the peak over the process's whole life. */
export interface RssSample {
  rss: number;
  maxRss: number;
}
