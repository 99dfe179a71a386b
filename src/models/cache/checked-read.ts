/** Reading a stored file back: its chunks as a stream, each checked against its recorded SHA-256 as it goes. */

/** SHA-256 of some bytes, hex (the form the manifests record). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Where the chunks come from and what a bad one does. */
export interface ChunkSource {
  /** Waited for before the first chunk is read. */
  readonly before: () => Promise<void> | undefined;
  readonly chunk: (index: number) => Promise<Blob | undefined>;
  /** A chunk is missing or does not match its hash: the error the stream fails with. */
  readonly bad: (problem: string) => Promise<Error>;
}

/**
 * A stream of the chunks whose hashes are `hashes`, in order. A chunk is
 * read only when the reader asks for it: none for a caller that reads the
 * headers alone, and never more than one in memory besides the reader's own
 * buffer (transformers.js copies each into the file's one buffer).
 */
export function checkedChunks(hashes: readonly string[], source: ChunkSource): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        if (index === 0) await source.before();
        if (index === hashes.length) return controller.close();
        const chunk = await source.chunk(index);
        const bytes = chunk ? new Uint8Array(await chunk.arrayBuffer()) : null;
        const problem = !bytes
          ? `chunk ${index} is missing`
          : (await sha256Hex(bytes)) !== hashes[index]
            ? `chunk ${index} does not match its hash`
            : null;
        if (problem || !bytes) return controller.error(await source.bad(problem ?? 'unreadable'));
        index += 1;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
}
