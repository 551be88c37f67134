/** The console's page of an action: the only kind of link to an action the console builds. */
export function actionHref(actionId: string): string {
  return `/console/actions/${encodeURIComponent(actionId)}`;
}

/** An action's full audit lineage (auditors). */
export function lineageHref(actionId: string): string {
  return `/console/audit/actions/${encodeURIComponent(actionId)}`;
}

/** A console path with a query, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
