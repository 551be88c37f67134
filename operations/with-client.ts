/**
 * Runs `use` with an AWS client made for this one call, then destroys it: its sockets close and
 * the one-shot credentials it holds go with it.
 */
export async function withClient<C extends { destroy(): void }, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}
