// The organization a page is in: its slug, the caller's role there, and a tick that moves
// each time one of its events is recorded (the `events` subscription), so that every page
// refetches what it shows and stays live without a reload.
import { createContext, useContext, useEffect, useRef, useState } from "react";
import { useSubscription } from "urql";
import { graphql } from "./gql";
import type { Role } from "./gql/graphql";

export interface OrganizationView {
  slug: string;
  id: string;
  name: string;
  role: Role;
  /** Moves on each of the organization's events. */
  tick: number;
  /** The type of the last event (pages refetch only for those they show, when they can). */
  lastEvent: string | null;
}

export const OrganizationContext = createContext<OrganizationView | null>(null);

export function useOrganization(): OrganizationView {
  const view = useContext(OrganizationContext);
  if (!view) throw new Error("useOrganization outside an organization's pages");
  return view;
}

const RANK: Record<Role, number> = { VIEWER: 0, DEVELOPER: 1, ADMIN: 2, OWNER: 3 };

/** Whether `role` is at least `needed` (the server's rule, command-handlers' `require`). */
export function allows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

const OrganizationEvents = graphql(`
  subscription OrganizationEvents($organization: String!) {
    events(organization: $organization) {
      position
      type
    }
  }
`);

/** The tick and last event type of an organization's live events. */
export function useLiveEvents(slug: string): { tick: number; lastEvent: string | null; paused: string | null } {
  const [state, setState] = useState({ tick: 0, lastEvent: null as string | null });
  const [result] = useSubscription({ query: OrganizationEvents, variables: { organization: slug } });
  const seen = useRef<number | null>(null);
  useEffect(() => {
    const event = result.data?.events;
    if (event && event.position !== seen.current) {
      seen.current = event.position;
      setState((s) => ({ tick: s.tick + 1, lastEvent: event.type }));
    }
  }, [result.data]);
  // Why live updates stopped (the socket refused or closed), for the page to say so.
  const paused = result.error ? (result.error.graphQLErrors[0]?.message ?? result.error.message) : null;
  return { ...state, paused };
}

/**
 * Refetches (from the network) each time the organization records an event; debounced so a
 * burst of events (a deploy writes several) costs one request.
 */
export function useRefetchOnEvents(refetch: (opts: { requestPolicy: "network-only" }) => void) {
  const { tick } = useOrganization();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => refetch({ requestPolicy: "network-only" }), 150);
    return () => clearTimeout(timer);
  }, [tick, refetch]);
}
