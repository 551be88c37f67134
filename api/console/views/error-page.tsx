import { Layout, type HeaderPerson } from './layout';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign in first',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests',
  503: 'Unavailable',
};

/** A readable error for a browser: the status, the API's error code and message, and a way back. */
export function ErrorPage(props: { status: number; code: string; message: string; person?: HeaderPerson | undefined }) {
  const title = TITLES[props.status] ?? (props.status >= 500 ? 'Something went wrong' : 'Error');
  return (
    <Layout title={title} person={props.person}>
      <h1>{title}</h1>
      <p class="alert error">
        {props.message} <code class="error-code">{`${props.status} ${props.code}`}</code>
      </p>
      <p class="links">
        <a href="/console">Back to the inbox</a>
        {props.status === 401 ? <a href="/console/login">Sign in</a> : null}
      </p>
    </Layout>
  );
}
