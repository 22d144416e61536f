// Signing out: a session ends on the server (`logout`: its token stops working at once); an
// API token is only forgotten here (revoke it on the Team page).
import { useCallback } from "react";
import { useMutation } from "urql";
import { graphql } from "./gql";
import { forgetSession, isApiToken, readToken } from "./session";

const Logout = graphql(`
  mutation Logout {
    logout
  }
`);

export function useSignOut(): () => Promise<void> {
  const [, logout] = useMutation(Logout);
  return useCallback(async () => {
    if (!isApiToken(readToken())) await logout({});
    forgetSession();
  }, [logout]);
}
