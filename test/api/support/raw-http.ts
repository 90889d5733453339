/**
 * A minimal HTTP/1.1 client over one kept-alive TCP socket: requests go out byte for byte as
 * given (HTTP client libraries normalise or refuse badly percent-encoded paths, which is the
 * point of some requests here), responses are read by Content-Length or chunks.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawRequest {
  method: string;
  /** Sent as is: no encoding or normalisation. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export class RawHttpConnection {
  private socket: Socket | null = null;
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {}

  private async open(): Promise<Socket> {
    if (this.socket && !this.closed) return this.socket;
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    const socket = connect(this.port, this.host);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    const end = () => {
      if (this.socket !== socket) return;
      this.closed = true;
      this.waiting?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
    return socket;
  }

  /** Resolves when the buffer holds `n` bytes, or the connection closed. */
  private async need(n: number): Promise<boolean> {
    while (this.buffer.length < n) {
      if (this.closed) return false;
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
    return true;
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const at = this.buffer.indexOf('\r\n');
      if (at >= 0) {
        const line = this.buffer.subarray(0, at).toString('latin1');
        this.buffer = this.buffer.subarray(at + 2);
        return line;
      }
      if (!(await this.need(this.buffer.length + 1))) throw new Error('connection closed mid-response');
    }
  }

  private async take(n: number): Promise<Buffer> {
    if (!(await this.need(n))) throw new Error('connection closed mid-body');
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async send(r: RawRequest): Promise<RawResponse> {
    const socket = await this.open();
    const body = r.body ?? null;
    const head = [
      `${r.method} ${r.path} HTTP/1.1`,
      `Host: ${this.host}`,
      ...Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      ...(body ? [`Content-Length: ${body.length}`] : []),
    ].join('\r\n');
    socket.write(`${head}\r\n\r\n`, 'latin1');
    if (body) socket.write(body);

    const statusLine = await this.readLine();
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!status) throw new Error(`not an HTTP response: ${statusLine}`);
    const headers: Record<string, string> = {};
    for (let line = await this.readLine(); line !== ''; line = await this.readLine()) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let responseBody: Buffer;
    if (r.method === 'HEAD' || status === 204 || status === 304) responseBody = Buffer.alloc(0);
    else if (headers['transfer-encoding']?.includes('chunked')) {
      const parts: Buffer[] = [];
      for (;;) {
        const size = parseInt(await this.readLine(), 16);
        if (!size) {
          await this.readLine();
          break;
        }
        parts.push(await this.take(size));
        await this.readLine();
      }
      responseBody = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined)
      responseBody = await this.take(Number(headers['content-length']));
    else {
      await this.need(Number.MAX_SAFE_INTEGER);
      responseBody = this.buffer;
      this.buffer = Buffer.alloc(0);
    }
    if (headers.connection?.toLowerCase() === 'close') this.close();
    return { status, headers, body: responseBody };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
    this.closed = true;
  }
}
