/** Display helpers (pure). */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(s)) return '';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export function duration(fromIso: string, toIso: string | undefined): string {
  if (!toIso) return '';
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (Number.isNaN(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** A status word → one of the colour classes of styles.css. */
export function statusTone(status: string | undefined): 'ok' | 'bad' | 'busy' | 'none' {
  switch (status) {
    case 'succeeded':
    case 'active':
      return 'ok';
    case 'failed':
    case 'deprovision_failed':
      return 'bad';
    case 'pending':
    case 'in progress':
    case 'deleting':
      return 'busy';
    default:
      return 'none';
  }
}

export const isRunning = (status: string): boolean => status === 'pending' || status === 'in progress';

/** One line per workload the local runtime runs: pod status, container states, published URLs. */
export interface RuntimeRow {
  workload: string;
  pod: string;
  status: string;
  containers: string;
  urls: string[];
}

/** From Humanitec's runtime shape (module → its controller → pods → container statuses) to table rows. */
export function runtimeRows(modules: Record<string, Record<string, unknown>>): RuntimeRow[] {
  return Object.entries(modules)
    .map(([workload, module]) => {
      const controller = module[workload] as { status?: string; pods?: { podName?: string; status?: string; containerStatuses?: { name?: string; state?: Record<string, unknown> }[] }[] } | undefined;
      const pod = controller?.pods?.[0];
      const externals = module.externals as { ports?: { protocol?: string; hostPort?: number }[] } | undefined;
      return {
        workload,
        pod: pod?.podName ?? '',
        status: pod?.status ?? controller?.status ?? 'unknown',
        containers: (pod?.containerStatuses ?? []).map((c) => `${c.name ?? '?'}: ${Object.keys(c.state ?? {})[0] ?? 'unknown'}`).join(', '),
        urls: (externals?.ports ?? []).filter((p) => p.protocol !== 'udp' && typeof p.hostPort === 'number').map((p) => `http://127.0.0.1:${String(p.hostPort)}`),
      };
    })
    .sort((a, b) => a.workload.localeCompare(b.workload));
}
