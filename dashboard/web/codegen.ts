import type { CodegenConfig } from "@graphql-codegen/cli";

// Types for every operation in src/, from the committed SDL: a schema change that breaks a
// query breaks `npm run build`.
const config: CodegenConfig = {
  schema: "../../schema/graphql/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: { scalars: { JSON: "unknown" }, enumsAsTypes: true, useTypeImports: true },
      presetConfig: { fragmentMasking: false },
    },
  },
};
export default config;
