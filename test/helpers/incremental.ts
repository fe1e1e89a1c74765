/**
 * Reads an incremental-delivery response (@defer, @stream) part by part, as each arrives:
 * `multipart/mixed` (each part's Content-Length tells where it ends, so a part is yielded
 * before the next boundary is sent) or `text/event-stream` (`event: next` per payload).
 */

export interface IncrementalPayload {
  data?: Record<string, unknown> | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
  incremental?: Array<{
    data?: Record<string, unknown> | null;
    items?: unknown[];
    path: Array<string | number>;
    label?: string;
    errors?: Array<{
      message: string;
      path?: Array<string | number>;
      extensions?: Record<string, unknown>;
    }>;
  }>;
  hasNext?: boolean;
}

export async function* readIncremental(response: Response): AsyncGenerator<IncrementalPayload> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body) throw new Error('no body');
  if (type.startsWith('multipart/mixed')) yield* readMultipart(response.body, boundaryOf(type));
  else if (type.startsWith('text/event-stream')) yield* readEvents(response.body);
  else throw new Error(`not an incremental response: ${type}`);
}

function boundaryOf(contentType: string): string {
  const match = /boundary="?([^";]+)"?/.exec(contentType);
  return match?.[1] ?? '-';
}

async function* readMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): AsyncGenerator<IncrementalPayload> {
  const delimiter = Buffer.from(`\r\n--${boundary}\r\n`);
  let buffer = Buffer.alloc(0);
  for await (const chunk of chunksOf(body)) {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const start = buffer.indexOf(delimiter);
      if (start < 0) break;
      const headersEnd = buffer.indexOf('\r\n\r\n', start + delimiter.length);
      if (headersEnd < 0) break;
      const headers = buffer.subarray(start + delimiter.length, headersEnd).toString('utf8');
      const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1]);
      if (!Number.isInteger(length)) throw new Error(`a part without Content-Length: ${headers}`);
      const bodyStart = headersEnd + 4;
      if (buffer.length < bodyStart + length) break;
      yield JSON.parse(buffer.subarray(bodyStart, bodyStart + length).toString('utf8'));
      buffer = buffer.subarray(bodyStart + length);
    }
  }
}

async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<IncrementalPayload> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of chunksOf(body)) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(event)?.[1];
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (name === 'next') yield JSON.parse(data);
      if (name === 'complete') return;
    }
  }
}

async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
  } finally {
    reader.releaseLock();
  }
}
