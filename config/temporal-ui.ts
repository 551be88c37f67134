/** Where operators read an action's history: the Temporal Web UI, when its URL is configured. */
export interface TemporalUiLinks {
  namespace: string;
  temporalUiUrl?: string;
}

/** The Temporal UI page of one action's workflow, or undefined when no UI URL is configured. */
export function temporalUiLink(links: TemporalUiLinks, actionId: string): string | undefined {
  if (!links.temporalUiUrl) return undefined;
  return `${links.temporalUiUrl}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(actionId)}`;
}
