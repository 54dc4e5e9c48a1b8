/**
 * Which names sprig's `getHostByName` may resolve. A template author who can make Baton resolve any name can map
 * the internal DNS of the network Baton runs in (and read the answers in the rendered outputs), so the operator
 * decides: lookups on (every name, or only names under an allow-list of suffixes) or off
 * (config `BATON_TEMPLATE_HOST_LOOKUP`, `BATON_TEMPLATE_HOST_LOOKUP_ALLOW`).
 *
 * Like the budget (budget.ts), the policy of the render in progress is module state: rendering is synchronous, and
 * a `tpl` render nested in another runs under the outer render's policy.
 */

export interface HostLookupPolicy {
  /** false: every `getHostByName` fails. */
  enabled: boolean;
  /**
   * Lower-case name suffixes (no leading or trailing dot). A name may be resolved when it equals one of them or ends
   * with `.` + one of them (`example.com` allows `db.example.com`, not `badexample.com`). Empty: any name.
   */
  allowedSuffixes: readonly string[];
}

/**
 * On, any name: sprig's own behaviour, so definitions written for Humanitec or score-k8s that call getHostByName
 * keep rendering after an upgrade. The lookup runs with Baton's resolver, bounded by a 1 s timeout and the render's
 * time limit; operators who let less trusted authors write definitions or profiles narrow or turn it off.
 */
export const DEFAULT_HOST_LOOKUP: Readonly<HostLookupPolicy> = Object.freeze({ enabled: true, allowedSuffixes: Object.freeze([]) });

/** Why `host` may not be resolved under `policy`, or undefined when it may. */
export function hostLookupRefusal(policy: HostLookupPolicy, host: string): string | undefined {
  if (!policy.enabled) return 'host name lookups are turned off (BATON_TEMPLATE_HOST_LOOKUP=false)';
  if (policy.allowedSuffixes.length === 0) return undefined;
  const name = host.toLowerCase().replace(/\.$/, '');
  if (policy.allowedSuffixes.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) return undefined;
  return `the name is not under an allowed suffix (BATON_TEMPLATE_HOST_LOOKUP_ALLOW=${policy.allowedSuffixes.join(',')})`;
}

let active: HostLookupPolicy | undefined;

/** Runs `render` under `policy`, or under the policy of the render already in progress (`tpl`). */
export function withHostLookupPolicy<T>(policy: HostLookupPolicy, render: () => T): T {
  if (active !== undefined) return render();
  active = policy;
  try {
    return render();
  } finally {
    active = undefined;
  }
}

/** The policy of the render in progress (the default outside a render). */
export function activeHostLookupPolicy(): HostLookupPolicy {
  return active ?? DEFAULT_HOST_LOOKUP;
}
