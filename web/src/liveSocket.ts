import type { LiveSocket } from "./services";

type AnySocket = LiveSocket & { on(event: string, handler: (payload: never) => void): unknown };

/**
 * A LiveSocket whose Socket.IO client is loaded on first use: the sign-in page never downloads
 * it. Handlers and calls made before it arrives are replayed on it, in order.
 */
class DeferredSocket implements LiveSocket {
  private socket: AnySocket | null = null;
  private pending: ((socket: AnySocket) => void)[] = [];
  private closed = false;

  constructor(loading: Promise<LiveSocket>) {
    void loading.then((socket) => {
      this.socket = socket as AnySocket;
      for (const call of this.pending) call(this.socket);
      this.pending = [];
    });
  }

  get connected(): boolean {
    return !this.closed && (this.socket?.connected ?? false);
  }

  on(event: string, handler: (payload: never) => void): this {
    this.run((socket) => socket.on(event, handler));
    return this;
  }

  connect(): this {
    this.closed = false;
    this.run((socket) => socket.connect());
    return this;
  }

  disconnect(): this {
    this.closed = true;
    this.run((socket) => socket.disconnect());
    return this;
  }

  private run(call: (socket: AnySocket) => void): void {
    if (this.socket) call(this.socket);
    else this.pending.push(call);
  }
}

export function openSocketIo(token: () => string | undefined): LiveSocket {
  return new DeferredSocket(
    import("socket.io-client").then(({ io }) =>
      io({ path: "/socket.io", transports: ["websocket", "polling"], auth: (send) => send({ token: token() }) }),
    ),
  );
}
