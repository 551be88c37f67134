/** A message at the top of a page: a vote recorded, or refused and why. */
export interface Notice {
  kind: 'success' | 'error';
  text: string;
}

export function NoticeBanner(props: { notice: Notice | undefined }) {
  const { notice } = props;
  if (!notice) return null;
  return (
    <p class={`alert ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      {notice.text}
    </p>
  );
}
