// After signing in: the last organization opened, the only one, or a choice (and a form to
// create one).
import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { problems } from "../errors";
import { lastOrganization } from "../session";
import { useSignOut } from "../signout";
import { Alerts, Button, Card, Field, Loading } from "../ui";

const Organizations = graphql(`
  query Organizations {
    organizations {
      slug
      name
    }
  }
`);

const CreateOrganization = graphql(`
  mutation CreateOrganization($slug: String!, $name: String!) {
    createOrganization(slug: $slug, name: $name) {
      slug
    }
  }
`);

export default function Home() {
  const [result] = useQuery({ query: Organizations });
  const location = useLocation();
  const navigate = useNavigate();
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const [created, create] = useMutation(CreateOrganization);
  const signOut = useSignOut();
  const found = problems(created.error);
  if (result.fetching) return <Loading />;
  const organizations = result.data?.organizations ?? [];
  const wantsNew = location.search.includes("new");
  const last = lastOrganization();
  if (!wantsNew && organizations.length > 0) {
    const target = organizations.find((o) => o.slug === last) ?? organizations[0];
    return <Navigate to={`/${target.slug}`} replace />;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await create({ slug, name });
    if (answer.data) navigate(`/${answer.data.createOrganization.slug}`);
  }

  return (
    <main className="mx-auto flex max-w-md flex-col gap-4 p-4">
      <h1 className="text-2xl font-semibold">Create an organization</h1>
      <Card>
        <form onSubmit={submit} className="flex flex-col gap-3">
          <Field label="Name" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={found.fields.name} />
          <Field label="Slug" name="slug" required value={slug} onChange={(e) => setSlug(e.target.value)} error={found.fields.slug} hint="lowercase letters, digits and dashes; it names the organization in URLs" />
          <Alerts messages={found.general} />
          <Button type="submit" disabled={created.fetching}>
            Create organization
          </Button>
        </form>
      </Card>
      {organizations.length > 0 && (
        <p className="text-sm">
          Or open{" "}
          {organizations.map((o) => (
            <Link key={o.slug} className="mr-2 underline" to={`/${o.slug}`}>
              {o.name}
            </Link>
          ))}
        </p>
      )}
      <button className="self-start text-sm underline" onClick={() => signOut()}>
        Sign out
      </button>
    </main>
  );
}
