// The one GraphQL client: queries and mutations over `POST /graphql`, subscriptions over
// graphql-ws on `/graphql/ws`, both signed with the session's token. An answer saying the
// token no longer works (UNAUTHENTICATED) signs the dashboard out.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { forgetSession, readToken } from "./session";

let ws: WsClient | null = null;
let wsToken: string | null = null;

function socket(): WsClient {
  const token = readToken();
  if (!ws || wsToken !== token) {
    ws?.dispose();
    wsToken = token;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = createWsClient({
      url: `${scheme}://${location.host}/graphql/ws`,
      connectionParams: () => (token ? { Authorization: `Bearer ${token}` } : {}),
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
    });
  }
  return ws;
}

export function makeClient(): Client {
  return new Client({
    url: "/graphql",
    // (urql would send queries as GET, which the API answers with GraphiQL: POST only)
    preferGetMethod: false,
    // A page opened again shows what it had at once and asks again: events may have come
    // while it was closed.
    requestPolicy: "cache-and-network",
    exchanges: [
      mapExchange({
        onError(error) {
          const unauthenticated = error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
          if (unauthenticated && readToken()) forgetSession();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = socket().subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    fetchOptions: (): RequestInit => {
      const token = readToken();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return { headers };
    },
  });
}
