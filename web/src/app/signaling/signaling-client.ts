import { DestroyRef, Injectable, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  type ClientAck,
  type ClientEventName,
  type ClientPayload,
  type ClientToServerEvents,
  ConnectErrorReason,
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
  type ServerEventName,
  type ServerPayload,
  type ServerToClientEvents,
} from '@callgate/protocol';
import {
  BehaviorSubject,
  Subject,
  type Observable,
  distinctUntilChanged,
  filter,
  map,
  skip,
} from 'rxjs';
import { type Socket, io } from 'socket.io-client';

import { AuthService } from '../auth/auth.service';
import { CallgateError, toCallgateError } from '../shared/api-error';
import { backoffDelay } from './backoff';

/** A client event's ack when the gateway did what was asked. */
export type AckSuccess<E extends ClientEventName> = Extract<ClientAck<E>, { ok: true }>;

/** The signaling socket as the templates show it. */
export type ConnectionState = 'connecting' | 'online' | 'offline' | 'reauthenticating';

type CallgateSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface ServerEvent {
  event: string;
  payload: unknown;
}

/** The sentence of a handshake refusal that ends the session, or null for other errors. */
function sessionRefusal(error: Error): string | null {
  if (
    error.message !== ConnectErrorReason.AccountDisabled &&
    error.message !== ConnectErrorReason.SessionRevoked
  ) {
    return null;
  }
  const data: unknown = (error as Error & { data?: unknown }).data;
  const message =
    typeof data === 'object' && data !== null && 'message' in data ? data.message : undefined;
  return typeof message === 'string' ? message : 'Your session has ended; sign in again.';
}

/** How long an emitted event may wait for its ack (including while reconnecting). */
export const ACK_TIMEOUT_MS = 10_000;

/**
 * The one socket.io connection to the gateway's `/signaling` namespace. Reconnects with
 * backoff and jitter, refreshes the access token when the gateway refuses an expired one,
 * and re-authenticates a live socket with `auth:refresh` so an ongoing call never drops.
 * Server events are re-published on one bus so subscriptions survive reconnects.
 */
@Injectable({ providedIn: 'root' })
export class SignalingClient {
  private readonly auth = inject(AuthService);
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('offline');
  private readonly events = new Subject<ServerEvent>();
  private socket: CallgateSocket | null = null;
  private attempt = 0;
  private reauthStreak = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  readonly state$: Observable<ConnectionState> = this.stateSubject.pipe(distinctUntilChanged());
  readonly state = toSignal(this.state$, { initialValue: 'offline' });

  constructor() {
    // A token refreshed while connected is presented on the live socket.
    const tokens = this.auth.accessToken$
      .pipe(
        skip(1),
        filter((token): token is string => token !== null),
      )
      .subscribe((token) => void this.presentToken(token));
    const online = () => {
      if (this.socket && !this.socket.connected) this.connectNow();
    };
    window.addEventListener('online', online);
    inject(DestroyRef).onDestroy(() => {
      tokens.unsubscribe();
      window.removeEventListener('online', online);
      this.stop();
    });
  }

  /** Current state without subscribing. */
  get currentState(): ConnectionState {
    return this.stateSubject.value;
  }

  /** Opens the socket (idempotent). */
  start(): void {
    if (this.socket) return;
    const socket: CallgateSocket = io(SIGNALING_NAMESPACE, {
      path: SIGNALING_PATH,
      transports: ['websocket'],
      autoConnect: false,
      // We reconnect ourselves: socket.io gives up after a middleware refusal, and we
      // must refresh the token first.
      reconnection: false,
      auth: (cb) => cb({ token: this.auth.accessToken() ?? '' }),
    });
    socket.onAny((event: string, payload: unknown) => this.events.next({ event, payload }));
    socket.on('connect', () => {
      this.attempt = 0;
      this.reauthStreak = 0;
      this.setState('online');
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      // The server cut us (often at token expiry): refresh first, then reconnect.
      if (reason === 'io server disconnect') void this.reauthenticate();
      else this.scheduleReconnect();
    });
    socket.on('session:ended', (notice) => this.auth.endedByServer(notice.message));
    socket.on('connect_error', (error) => {
      const refusal = sessionRefusal(error);
      if (refusal !== null) {
        // Not a token to refresh: the session or account itself is refused.
        this.auth.endedByServer(refusal);
        return;
      }
      if (error.message === ConnectErrorReason.TooManyConnections) {
        this.attempt = Math.max(this.attempt, 4);
        this.scheduleReconnect();
        return;
      }
      if (
        error.message === ConnectErrorReason.TokenExpired ||
        error.message === ConnectErrorReason.Unauthorized
      ) {
        void this.reauthenticate();
      } else {
        // A transport failure, or `unavailable` (the server could not check the session):
        // the session stands; try again after a backoff.
        this.scheduleReconnect();
      }
    });
    socket.on('auth:expiring', () => {
      this.auth.refresh().subscribe({ error: () => undefined });
    });
    this.socket = socket;
    this.connectNow();
  }

  /** Closes the socket for good (sign-out). */
  stop(): void {
    this.clearRetry();
    this.socket?.removeAllListeners();
    this.socket?.offAny();
    this.socket?.disconnect();
    this.socket = null;
    this.setState('offline');
  }

  /** Server events of one kind, across reconnects. */
  on<E extends ServerEventName>(event: E): Observable<ServerPayload<E>> {
    return this.events.pipe(
      filter((e) => e.event === event),
      map((e) => e.payload as ServerPayload<E>),
    );
  }

  /**
   * Emits a client event and resolves with its successful ack. A refusal (`ok: false`)
   * rejects with a {@link CallgateError} carrying the gateway's code and message; so does
   * no answer within {@link ACK_TIMEOUT_MS} (while reconnecting the event waits in
   * socket.io's send buffer) and having no socket at all.
   */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = ACK_TIMEOUT_MS,
  ): Promise<AckSuccess<E>> {
    const socket = this.socket;
    if (!socket) {
      return Promise.reject(
        CallgateError.unreachable('Not connected to the signaling server; try again.'),
      );
    }
    // socket.io's typed emit cannot follow a generic event name; the map above keeps
    // payload and ack types tied to `event`.
    const untyped = socket.timeout(timeoutMs) as unknown as {
      emit(name: string, body: unknown, ack: (err: Error | null, res: ClientAck<E>) => void): void;
    };
    return new Promise((resolve, reject) => {
      untyped.emit(event, payload, (err, res) => {
        if (err) {
          reject(CallgateError.unreachable('The signaling server did not answer in time.', err));
        } else if (res.ok) {
          resolve(res as AckSuccess<E>);
        } else {
          reject(CallgateError.fromBody(res.error));
        }
      });
    });
  }

  private connectNow(): void {
    this.clearRetry();
    if (!this.socket || this.socket.connected) return;
    this.setState('connecting');
    this.socket.connect();
  }

  private scheduleReconnect(): void {
    if (!this.socket) return;
    this.setState('offline');
    this.clearRetry();
    const delay = backoffDelay(this.attempt++);
    this.retryTimer = setTimeout(() => this.connectNow(), delay);
  }

  private async reauthenticate(): Promise<void> {
    if (!this.socket) return;
    // Two refusals right after a fresh token mean the account itself is refused.
    if (++this.reauthStreak > 2) {
      this.scheduleReconnect();
      return;
    }
    this.setState('reauthenticating');
    try {
      await new Promise<void>((resolve, reject) =>
        this.auth.refresh().subscribe({ next: () => resolve(), error: reject }),
      );
      this.connectNow();
    } catch {
      if (this.auth.signedIn()) this.scheduleReconnect();
      else this.stop();
    }
  }

  private async presentToken(token: string): Promise<void> {
    if (!this.socket?.connected) return;
    this.setState('reauthenticating');
    try {
      await this.request('auth:refresh', { token });
    } catch (error) {
      console.warn('Signaling did not take the refreshed token:', toCallgateError(error).message);
    } finally {
      if (this.socket?.connected) this.setState('online');
    }
  }

  private setState(next: ConnectionState): void {
    if (this.stateSubject.value === next) return;
    console.info(`[signaling] ${this.stateSubject.value} → ${next}`);
    this.stateSubject.next(next);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
