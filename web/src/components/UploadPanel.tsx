import { type DragEvent, useEffect, useRef, useState } from "react";
import { ACCEPTED_FORMATS } from "../uploadRefusal";
import { useUploads } from "../uploads";

/**
 * Whether focus rests where nothing is being done: the page body, a view's heading (where
 * navigation put it) or this panel. Anywhere else the person is busy and focus stays there.
 */
function focusIsIdle(button: HTMLButtonElement | null): boolean {
  const focused = document.activeElement;
  if (!focused || focused === document.body) return true;
  if (focused.matches("h1[tabindex='-1']")) return true;
  return button?.closest("section")?.contains(focused) ?? false;
}

/**
 * Upload by button, drop or paste, any number of files (the queue is in UploadsProvider). The
 * button is never disabled, so focus never falls to the page body; when the queue is done, focus
 * comes back to it unless the person is busy elsewhere (see focusIsIdle).
 */
export function UploadPanel() {
  const { progress, refusals, start } = useUploads();
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const [dragging, setDragging] = useState(false);
  const sending = progress !== null;
  const wasSending = useRef(sending);

  useEffect(() => {
    if (wasSending.current && !sending && focusIsIdle(button.current)) button.current?.focus();
    wasSending.current = sending;
  }, [sending]);

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith("image/"));
      if (files.length) start(files);
    };
    document.addEventListener("paste", onPaste);
    return () => document.removeEventListener("paste", onPaste);
  }, [start]);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files);
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
      <h2 id="upload-title">Upload photos</h2>
      <p className="hint" id="upload-hint">
        Drop them here, paste, or choose files: {ACCEPTED_FORMATS}.
      </p>
      {/* `hidden`: no Tab stop, nothing for a screen reader; the button below opens it. */}
      <input
        ref={input}
        id="file-input"
        type="file"
        accept="image/*,.heic,.heif,.avif"
        multiple
        hidden
        onChange={(event) => {
          start(event.target.files ?? []);
          event.target.value = "";
        }}
      />
      <button
        ref={button}
        type="button"
        className="button"
        aria-describedby="upload-hint"
        onClick={() => input.current?.click()}
      >
        {sending ? "Add more photos" : "Choose photos"}
      </button>
      {/* Reserved height: the progress line comes and goes without moving what follows. */}
      <div className="upload-status">
        {progress ? (
          <>
            <progress className="progress" value={progress.fraction} max={1} aria-label={`Uploading ${progress.name}`} />
            <span className="hint">
              {progress.total > 1 ? `${progress.index} of ${progress.total}: ` : ""}
              {progress.name}
            </span>
          </>
        ) : null}
      </div>
      {refusals.length ? (
        <ul className="refusals" aria-label="Not uploaded">
          {refusals.map((refusal, position) => (
            // Two refusals can read alike (the same file picked twice): the position tells them apart.
            <li key={`${position}:${refusal}`} className="error-text">
              {refusal}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
