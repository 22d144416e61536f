// Signing in (email and password, or an API token) and registering.
import * as Tabs from "@radix-ui/react-tabs";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useClient, useMutation } from "urql";
import { graphql } from "../gql";
import { problems } from "../errors";
import { saveToken } from "../session";
import { Alerts, Button, Field } from "../ui";

const Login = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
    }
  }
`);

const RegisterUser = graphql(`
  mutation RegisterUser($email: String!, $name: String!, $password: String!) {
    registerUser(email: $email, name: $name, password: $password) {
      token
      verificationSent
    }
  }
`);

const WhoAmI = graphql(`
  query WhoAmI {
    viewer {
      actor
    }
  }
`);

function Frame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-4 p-4">
      <h1 className="text-2xl font-semibold">
        <span aria-hidden>▲ </span>CloudDeck
      </h1>
      <h2 className="text-lg">{title}</h2>
      {children}
    </main>
  );
}

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [loginResult, login] = useMutation(Login);
  const [tokenError, setTokenError] = useState<string | null>(null);
  const client = useClient();
  const loginProblems = problems(loginResult.error);

  async function withPassword(event: FormEvent) {
    event.preventDefault();
    const result = await login({ email, password });
    if (result.data?.login.token) saveToken(result.data.login.token);
  }

  async function withToken(event: FormEvent) {
    event.preventDefault();
    setTokenError(null);
    const value = token.trim();
    // Checked before it is kept: a wrong token is said so here, not on the next page.
    const result = await client
      .query(WhoAmI, {}, { fetchOptions: { headers: { authorization: `Bearer ${value}` } }, requestPolicy: "network-only" })
      .toPromise();
    if (result.data?.viewer.actor && result.data.viewer.actor !== "anonymous") saveToken(value);
    else setTokenError(result.error?.graphQLErrors[0]?.message ?? "this token is not valid");
  }

  return (
    <Frame title="Sign in">
      <Tabs.Root defaultValue="password" className="flex flex-col gap-3">
        <Tabs.List aria-label="How to sign in" className="flex gap-2 border-b border-zinc-200 dark:border-zinc-800">
          {[
            ["password", "Email and password"],
            ["token", "API token"],
          ].map(([value, label]) => (
            <Tabs.Trigger
              key={value}
              value={value}
              className="border-b-2 border-transparent px-2 py-1 text-sm data-[state=active]:border-zinc-900 dark:data-[state=active]:border-zinc-100"
            >
              {label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="password">
          <form onSubmit={withPassword} className="flex flex-col gap-3">
            <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={loginProblems.fields.email} />
            <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={loginProblems.fields.password} />
            <Alerts messages={loginProblems.general} />
            <Button type="submit" disabled={loginResult.fetching}>
              Sign in
            </Button>
          </form>
        </Tabs.Content>
        <Tabs.Content value="token">
          <form onSubmit={withToken} className="flex flex-col gap-3">
            <Field label="API token" name="token" type="password" autoComplete="off" required placeholder="cdt_… or cds_…" value={token} onChange={(e) => setToken(e.target.value)} error={tokenError ?? undefined} />
            <Button type="submit">Sign in with token</Button>
          </form>
        </Tabs.Content>
      </Tabs.Root>
      <p className="text-sm">
        No account? <Link className="underline" to="/register">Register</Link>
      </p>
    </Frame>
  );
}

export function Register() {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [result, register] = useMutation(RegisterUser);
  const found = problems(result.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await register({ email, name, password });
    if (answer.data?.registerUser.token) saveToken(answer.data.registerUser.token);
  }

  if (result.data?.registerUser.verificationSent) {
    return (
      <Frame title="Check your email">
        <p className="text-sm">A link went to {email}: follow it to sign in.</p>
      </Frame>
    );
  }
  return (
    <Frame title="Create an account">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="Name" name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={found.fields.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={found.fields.email} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={found.fields.password} hint="10 to 256 characters" />
        <Alerts messages={found.general} />
        <Button type="submit" disabled={result.fetching}>
          Register
        </Button>
      </form>
      <p className="text-sm">
        Have an account? <Link className="underline" to="/login">Sign in</Link>
      </p>
    </Frame>
  );
}
