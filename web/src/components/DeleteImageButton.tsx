import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { ApiError } from "../api/errors";
import type { ImageItem } from "../api/types";
import { useAnnounce } from "../announcer";
import { removeImage } from "../imageList";
import { navigate } from "../router";
import { useServices } from "../services";

/**
 * Delete, with a confirmation in place rather than an undo: the server removes the files at once,
 * so there is nothing to undo. The question appears next to the button, focus moves to "Keep it"
 * (the harmless choice; the question is its description), and Escape or "Keep it" puts focus
 * back on "Delete". Once deleted, the grid (focused on its heading) says so in the live region.
 */
export function DeleteImageButton({ image }: { image: ImageItem }) {
  const { api } = useServices();
  const client = useQueryClient();
  const announce = useAnnounce();
  const [asking, setAsking] = useState(false);
  const question = useId();
  const open = useRef<HTMLButtonElement>(null);
  const keep = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);

  const remove = useMutation<void, Error>({
    mutationFn: () => api.deleteImage(image.id),
    onSuccess: () => {
      // Leave the view first: it would otherwise ask for the photo again and find a 404.
      navigate("/", { replace: true });
      removeImage(client, image.id);
      announce(`${image.original_name} deleted.`);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 404) {
        navigate("/", { replace: true });
        removeImage(client, image.id);
        announce(`${image.original_name} was already deleted.`);
      }
    },
  });

  const cancel = () => {
    setAsking(false);
    remove.reset();
    // After the question's buttons are gone.
    setTimeout(() => open.current?.focus(), 0);
  };

  if (!asking) {
    return (
      <button ref={open} type="button" className="button danger" onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  }
  return (
    <div
      className="confirm"
      role="group"
      aria-labelledby={question}
      onKeyDown={(event) => {
        if (event.key === "Escape") cancel();
      }}
    >
      <p id={question} className="confirm-question">
        Delete “{image.original_name}” for good? The original and every optimized file are removed; this cannot be undone.
      </p>
      {remove.isError ? (
        <p className="error-text" role="alert">
          Could not delete it: {remove.error.message}
        </p>
      ) : null}
      <div className="confirm-buttons">
        <button
          type="button"
          className="button danger"
          aria-busy={remove.isPending}
          onClick={() => {
            if (!remove.isPending) remove.mutate();
          }}
        >
          {remove.isPending ? "Deleting…" : "Delete for good"}
        </button>
        <button ref={keep} type="button" className="button secondary" aria-describedby={question} onClick={cancel}>
          Keep it
        </button>
      </div>
    </div>
  );
}
