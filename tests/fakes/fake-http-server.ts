import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server on a free port; fakes of the platforms' APIs extend it and implement `route`. */
export abstract class FakeHttpServer {
  private server: http.Server | null = null;

  protected abstract route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
