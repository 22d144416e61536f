// The pages the API's emails link to: `/verify-email?token=…` (proves the address and signs
// in) and `/invitations/:id?token=…` (joins the organization, once signed in).
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { problems } from "../errors";
import { readToken, saveToken } from "../session";
import { useSignOut } from "../signout";
import { Alerts, Button } from "../ui";

const VerifyEmail = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      token
    }
  }
`);

const AcceptInvitation = graphql(`
  mutation AcceptInvitation($invitationId: String!, $token: String) {
    acceptInvitation(invitationId: $invitationId, token: $token) {
      slug
      name
    }
  }
`);

function Frame({ children }: { children: React.ReactNode }) {
  return <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-4 p-4">{children}</main>;
}

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const [result, verify] = useMutation(VerifyEmail);
  const navigate = useNavigate();
  const signOut = useSignOut();
  const signedIn = readToken() !== null;

  // Only on a click: a link someone else sent must not sign this browser into their account
  // without the user seeing it (login CSRF).
  async function confirm() {
    if (signedIn) await signOut();
    const answer = await verify({ token: params.get("token") ?? "" });
    if (answer.data) {
      saveToken(answer.data.verifyEmail.token);
      navigate("/", { replace: true });
    }
  }

  return (
    <Frame>
      <h1 className="text-xl font-semibold">Verify your email address</h1>
      <p className="text-sm">
        This proves you own the address you registered with, and signs you in to that account.
        {signedIn && " The session open in this browser will be signed out first."}
      </p>
      <Alerts messages={problems(result.error).general} />
      <Button onClick={confirm} disabled={result.fetching}>
        Verify and sign in
      </Button>
      <Link className="text-sm underline" to="/login">
        Sign in another way
      </Link>
    </Frame>
  );
}

export function InvitationPage() {
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  const [result, accept] = useMutation(AcceptInvitation);
  const navigate = useNavigate();
  const signedIn = readToken() !== null;
  const here = `/invitations/${id}?${params.toString()}`;

  async function join() {
    const answer = await accept({ invitationId: id, token: params.get("token") });
    if (answer.data) navigate(`/${answer.data.acceptInvitation.slug}`);
  }

  return (
    <Frame>
      <h1 className="text-xl font-semibold">You are invited</h1>
      {signedIn ? (
        <>
          <p className="text-sm">Join the organization that invited you with the account you are signed in with.</p>
          <Alerts messages={problems(result.error).general} />
          <Button onClick={join} disabled={result.fetching}>
            Accept the invitation
          </Button>
        </>
      ) : (
        <p className="text-sm">
          <Link className="underline" to={`/login?next=${encodeURIComponent(here)}`}>
            Sign in
          </Link>{" "}
          or{" "}
          <Link className="underline" to={`/register?next=${encodeURIComponent(here)}`}>
            register
          </Link>{" "}
          first; this link brings you back here.
        </p>
      )}
    </Frame>
  );
}
