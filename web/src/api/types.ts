// The API's shapes under the names the app uses: aliases of the types generated from the edge's
// OpenAPI document (schema.ts, `make api-types`), so a change to the API is a type error here,
// and `make test` fails while the generated file is stale.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type ImageItem = Schemas["PublicImage"];
export type ImageStatus = ImageItem["status"];
/** One stored rendition: `thumbnail`, `w320` … `w2048`, `optimized`. */
export type Variant = Schemas["PublicVariant"];
/** A URL that works without the session until `expires_at`. */
export type TemporaryLink = Schemas["TemporaryLink"];
export type ImagePage = Schemas["ImagePage"];
export type User = Schemas["UserOut"];
export type SessionReply = Schemas["SessionOut"];
/** Bytes held in storage (originals and optimized files) against the account's quota. */
export type Usage = Schemas["UsageOut"];
/** One signed-in session of the account (`current`: the one making the request). */
export type SignedInSession = Schemas["SignedInSession"];
export type SessionList = Schemas["SessionList"];
