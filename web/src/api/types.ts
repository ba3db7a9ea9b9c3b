export type ImageStatus = "queued" | "processing" | "done" | "failed";

export interface ImageItem {
  id: string;
  original_name: string;
  status: ImageStatus;
  content_type: string;
  width: number | null;
  height: number | null;
  size_bytes: number;
  optimized_size_bytes: number | null;
  uploaded_at: string | null;
  processed_at: string | null;
  error: string | null;
  optimized_url: string | null;
  /** The optimized image was scaled down to fit WebP's 16383-pixel limit on a side. */
  downscaled: boolean;
}

export interface ImagePage {
  items: ImageItem[];
  next_cursor: string | null;
}

export interface User {
  id: string;
  email: string;
}

export interface SessionReply {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: User;
}

/** Bytes held in storage (originals and optimized files) against the account's quota. */
export interface Usage {
  used_bytes: number;
  quota_bytes: number;
}
