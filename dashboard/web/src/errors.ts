// The API's error contract: `extensions.code` (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND,
// CONFLICT, QUOTA_EXCEEDED, …) and, for bad input, `extensions.field` naming the argument.
import type { CombinedError } from "urql";

export interface Problems {
  /** Messages by the argument they are about. */
  fields: Record<string, string>;
  /** Messages about no one field. */
  general: string[];
}

export function problems(error: CombinedError | undefined | null): Problems {
  const out: Problems = { fields: {}, general: [] };
  if (!error) return out;
  if (error.networkError) out.general.push(`The API cannot be reached: ${error.networkError.message}`);
  for (const e of error.graphQLErrors) {
    const field = e.extensions?.field;
    if (typeof field === "string" && field) out.fields[field] = e.message;
    else out.general.push(e.message);
  }
  return out;
}

export function codeOf(error: CombinedError | undefined | null): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === "string" ? code : undefined;
}
