import { useMutation } from "@tanstack/react-query";
import { useAnnounce } from "../announcer";
import { formatBytes } from "../format";
import { useServices } from "../services";
import { useState } from "react";

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the blob by now; the object URL need not outlive this turn by much.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Every original and result as one ZIP. The export needs the bearer token, which a plain link
 * cannot send, so it is fetched and read as a stream (the bytes received so far are shown; the
 * archive's size is not known ahead: it is built while sent), then handed to the browser as a
 * download of the resulting blob.
 */
export function ExportButton() {
  const { api } = useServices();
  const announce = useAnnounce();
  const [received, setReceived] = useState(0);
  const exporting = useMutation<Blob, Error>({
    mutationFn: () => {
      setReceived(0);
      announce("Preparing your photos' archive…");
      return api.exportImages(setReceived);
    },
    onSuccess: (blob) => {
      const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
      save(blob, `pixelflow-export-${day}.zip`);
      announce(`Your archive is ready (${formatBytes(blob.size)}).`);
    },
    onError: (error) => announce(`The archive could not be downloaded: ${error.message}`),
  });
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Your photos</h2>
      <p className="hint">One ZIP of every original and optimized file, with an images.json listing names, dates and sizes.</p>
      <div>
        <button
          type="button"
          className="button secondary"
          aria-busy={exporting.isPending}
          onClick={() => {
            if (!exporting.isPending) exporting.mutate();
          }}
        >
          Download all my photos (ZIP)
        </button>
      </div>
      <div className="export-status">
        {exporting.isPending ? (
          <>
            <progress className="progress" aria-label="Downloading the archive" />
            <span>{formatBytes(received)} received</span>
          </>
        ) : exporting.isError ? (
          <span className="error-text">The archive could not be downloaded: {exporting.error.message}</span>
        ) : null}
      </div>
    </section>
  );
}
