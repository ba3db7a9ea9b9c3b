import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { describeRefusal } from "../uploadRefusal";

describe("refusal messages", () => {
  it.each([
    [new ApiError(415, "not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)"), "“x.bin” is not a photo pixelflow can read. Use JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF."],
    [
      new ApiError(413, "the storage quota of 1,000,000 bytes is used up (999,000 bytes stored)"),
      "“x.bin” does not fit in your storage. The storage quota of 1 MB is used up (999 KB stored).",
    ],
    [
      new ApiError(422, "image is 30000×30000, over the limit of 100,000,000 pixels"),
      "“x.bin” could not be accepted. Image is 30000×30000, over the limit of 100 megapixels.",
    ],
    [new ApiError(429, "too many uploads", {}, 30), "“x.bin” was not uploaded: too many uploads at once. Try again in 30 seconds."],
    [new ApiError(0, "The upload failed"), "“x.bin” was not uploaded: the connection failed. Check it and try again."],
    [new ApiError(503, "images service unavailable"), "“x.bin” was not uploaded: the service is having trouble. Try again in a moment."],
    [new Error("boom"), "“x.bin” was not uploaded: something went wrong. Please try again."],
  ])("%s", (error, expected) => {
    expect(describeRefusal("x.bin", error)).toBe(expected);
  });
});
