import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, useEffect, useRef, useState } from "react";
import type { ApiError } from "../api/errors";
import type { ImageItem } from "../api/types";
import { LATEST_KEY, LIST_KEY } from "../liveImages";
import { useServices } from "../services";

export function UploadPanel() {
  const { api } = useServices();
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState(0);
  const [dragging, setDragging] = useState(false);

  const upload = useMutation<ImageItem, ApiError, File>({
    mutationFn: (file) => {
      setProgress(0);
      return api.uploadImage(file, setProgress);
    },
    onSuccess: (image) => {
      client.setQueryData(LATEST_KEY, image);
      void client.invalidateQueries({ queryKey: LIST_KEY });
    },
  });

  const start = (file: File | undefined) => {
    if (file && !upload.isPending) upload.mutate(file);
  };

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith("image/"));
      if (file) start(file);
    };
    document.addEventListener("paste", onPaste);
    return () => document.removeEventListener("paste", onPaste);
  });

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files[0]);
  };

  return (
    <section
      className={`card dropzone${dragging ? " dragging" : ""}`}
      aria-labelledby="upload-title"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2 id="upload-title">Upload a photo</h2>
      <p className="hint">Drop it here, paste it, or choose a file. JPEG, PNG, WebP, GIF, TIFF or HEIF.</p>
      <input
        ref={input}
        id="file-input"
        className="visually-hidden"
        type="file"
        accept="image/*"
        aria-label="Photo to upload"
        onChange={(event) => {
          start(event.target.files?.[0]);
          event.target.value = "";
        }}
      />
      <button type="button" className="button" disabled={upload.isPending} aria-busy={upload.isPending} onClick={() => input.current?.click()}>
        {upload.isPending ? "Uploading…" : "Choose a photo"}
      </button>
      {upload.isPending ? (
        <progress className="progress" value={progress} max={1} aria-label="Upload progress">
          {Math.round(progress * 100)}%
        </progress>
      ) : null}
      {upload.isError ? (
        <p className="error-text" role="alert">
          {upload.error.message}
        </p>
      ) : null}
    </section>
  );
}
