import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { useAnnounce } from "./announcer";
import { prependImage } from "./imageList";
import { useServices } from "./services";
import { describeRefusal } from "./uploadRefusal";

export interface UploadProgress {
  name: string;
  /** 1-based position of the file being sent, among `total` picked since the queue was idle. */
  index: number;
  total: number;
  fraction: number;
}

interface Uploads {
  progress: UploadProgress | null;
  /** Why each file of the last run was refused, in words (see describeRefusal). */
  refusals: string[];
  start(files: Iterable<File>): void;
}

const UploadsContext = createContext<Uploads | null>(null);

/**
 * The upload queue of the signed-in views: any number of files, each sent in turn (one at a time
 * keeps the progress bar truthful and the quota's holds small); files added while others are sent
 * join the queue. It lives above the views, so opening a photo while uploading neither stops the
 * queue nor loses its progress.
 */
export function UploadsProvider({ children }: { children: ReactNode }) {
  const { api } = useServices();
  const client = useQueryClient();
  const announce = useAnnounce();
  const queue = useRef<File[]>([]);
  const running = useRef(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [refusals, setRefusals] = useState<string[]>([]);

  const drain = useCallback(async () => {
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
        failed.push(describeRefusal(name, error));
        setRefusals([...failed]);
      }
    }
    running.current = false;
    setProgress(null);
    void client.invalidateQueries({ queryKey: ["images"] });
    const done = uploaded ? `${uploaded} ${uploaded === 1 ? "photo" : "photos"} uploaded, now optimizing.` : "";
    announce([done, ...failed].filter(Boolean).join(" "));
  }, [announce, api, client]);

  const start = useCallback(
    (files: Iterable<File>) => {
      const picked = [...files];
      if (!picked.length) return;
      queue.current.push(...picked);
      void drain();
    },
    [drain],
  );

  const value = useMemo(() => ({ progress, refusals, start }), [progress, refusals, start]);
  return <UploadsContext.Provider value={value}>{children}</UploadsContext.Provider>;
}

export function useUploads(): Uploads {
  const uploads = useContext(UploadsContext);
  if (!uploads) throw new Error("useUploads needs an UploadsProvider");
  return uploads;
}
