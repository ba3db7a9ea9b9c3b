import { useQueryClient } from "@tanstack/react-query";
import { type DragEvent, useEffect, useRef, useState } from "react";
import { useAnnounce } from "../announcer";
import { prependImage } from "../imageList";
import { useServices } from "../services";
import { ACCEPTED_FORMATS, describeRefusal } from "../uploadRefusal";

interface Progress {
  name: string;
  /** 1-based position of the file being sent, among `total` picked since the panel was idle. */
  index: number;
  total: number;
  fraction: number;
}

/**
 * Upload by button, drop or paste, any number of files: each is sent in turn (one at a time keeps
 * the progress bar truthful and the quota's holds small). Files picked while others are sent join
 * the queue. The button is never disabled, so focus never falls to the page body; when the queue
 * is done, focus comes back to it if it had wandered nowhere.
 */
export function UploadPanel() {
  const { api } = useServices();
  const client = useQueryClient();
  const announce = useAnnounce();
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const queue = useRef<File[]>([]);
  const running = useRef(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [refusals, setRefusals] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);

  const drain = async () => {
    if (running.current) return;
    running.current = true;
    setRefusals([]);
    let index = 0;
    let uploaded = 0;
    const failed: string[] = [];
    for (let file = queue.current.shift(); file; file = queue.current.shift()) {
      index += 1;
      const total = index + queue.current.length;
      const name = file.name || "pasted image";
      setProgress({ name, index, total, fraction: 0 });
      announce(total > 1 ? `Uploading ${name}, ${index} of ${total}.` : `Uploading ${name}.`);
      try {
        const image = await api.uploadImage(file, (fraction) =>
          setProgress({ name, index, total: index + queue.current.length, fraction }),
        );
        prependImage(client, image);
        uploaded += 1;
      } catch (error) {
        const refusal = describeRefusal(name, error);
        failed.push(refusal);
        setRefusals([...failed]);
      }
    }
    running.current = false;
    setProgress(null);
    void client.invalidateQueries({ queryKey: ["images"] });
    const done = uploaded ? `${uploaded} ${uploaded === 1 ? "photo" : "photos"} uploaded, now optimizing.` : "";
    announce([done, ...failed].filter(Boolean).join(" "));
    const focused = document.activeElement;
    if (!focused || focused === document.body || input.current === focused) button.current?.focus();
  };

  const start = (files: Iterable<File>) => {
    const picked = [...files];
    if (!picked.length) return;
    queue.current.push(...picked);
    void drain();
  };

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith("image/"));
      if (files.length) start(files);
    };
    document.addEventListener("paste", onPaste);
    return () => document.removeEventListener("paste", onPaste);
  });

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files);
  };

  const sending = progress !== null;
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
