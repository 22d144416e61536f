// GraphiQL, built from npm into the binary (no CDN). It signs its requests with the
// dashboard's session when there is one; the headers tab can change that.
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import "graphiql/style.css";
import { readToken } from "../src/session";

const token = readToken();
const authorization = token ? { Authorization: `Bearer ${token}` } : undefined;
const scheme = location.protocol === "https:" ? "wss" : "ws";
const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  subscriptionUrl: `${scheme}://${location.host}/graphql/ws`,
  wsConnectionParams: authorization,
});

const root = document.getElementById("graphiql");
if (root) {
  createRoot(root).render(
    <GraphiQL
      fetcher={fetcher}
      defaultHeaders={authorization ? JSON.stringify(authorization, null, 2) : undefined}
      defaultQuery={"# CloudDeck's GraphQL API. Signed in as the dashboard's session, if any.\n{\n  viewer { actor user { email } }\n  organizations { slug name }\n}\n"}
    />,
  );
}
