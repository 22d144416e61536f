// The dashboard's entry: the GraphQL client, the session, and the routes. Every page but the
// sign-in ones is loaded on demand (its own chunk), so the first load stays small.
import { StrictMode, Suspense, lazy, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { Provider } from "urql";
import { makeClient } from "./client";
import { onSessionChange, readToken } from "./session";
import { Loading } from "./ui";
import { SignIn, Register } from "./pages/SignIn";
import { Shell } from "./Shell";
import { InvitationPage, VerifyEmailPage } from "./pages/Links";
import "./index.css";

const Home = lazy(() => import("./pages/Home"));
const Projects = lazy(() => import("./pages/Projects"));
const Project = lazy(() => import("./pages/Project"));
const Deployment = lazy(() => import("./pages/Deployment"));
const Settings = lazy(() => import("./pages/Settings"));
const Domains = lazy(() => import("./pages/Domains"));
const Usage = lazy(() => import("./pages/Usage"));
const Invoice = lazy(() => import("./pages/Invoice"));
const Team = lazy(() => import("./pages/Team"));
const Audit = lazy(() => import("./pages/Audit"));

/** After signing in: where `?next=` says, if it is a page of this origin, else home. */
function Next() {
  const next = new URLSearchParams(location.search).get("next") ?? "/";
  // (resolved as the browser would: `//host`, `/\host` and `/%09/host` all leave the origin)
  const target = new URL(next, location.origin);
  const safe = target.origin === location.origin ? `${target.pathname}${target.search}` : "/";
  return <Navigate to={safe} replace />;
}

function App() {
  const [token, setToken] = useState(readToken());
  useEffect(() => onSessionChange(() => setToken(readToken())), []);
  // A new client per session: nothing cached under one token is shown to the next.
  const client = useMemo(() => makeClient(), [token]);
  return (
    <Provider value={client}>
      <BrowserRouter>
        <Suspense fallback={<Loading />}>
          {token ? (
            <Routes>
              <Route path="/login" element={<Next />} />
              <Route path="/register" element={<Next />} />
              <Route path="/verify-email" element={<VerifyEmailPage />} />
              <Route path="/invitations/:id" element={<InvitationPage />} />
              <Route path="/" element={<Home />} />
              <Route path="/:org" element={<Shell />}>
                <Route index element={<Projects />} />
                <Route path="projects/:project" element={<Project />} />
                <Route path="projects/:project/deployments/:id" element={<Deployment />} />
                <Route path="projects/:project/settings" element={<Settings />} />
                <Route path="projects/:project/domains" element={<Domains />} />
                <Route path="usage" element={<Usage />} />
                <Route path="invoices/:id" element={<Invoice />} />
                <Route path="team" element={<Team />} />
                <Route path="audit" element={<Audit />} />
              </Route>
            </Routes>
          ) : (
            <Routes>
              <Route path="/register" element={<Register />} />
              <Route path="/verify-email" element={<VerifyEmailPage />} />
              <Route path="/invitations/:id" element={<InvitationPage />} />
              <Route path="*" element={<SignIn />} />
            </Routes>
          )}
        </Suspense>
      </BrowserRouter>
    </Provider>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
