/**
 * Test helper: open a page in headless Chromium and drive it over the DevTools protocol with
 * Deno's WebSocket, collecting console errors and uncaught exceptions, evaluating an expression
 * in the page and taking a screenshot. Test-only.
 *
 * @module
 */

/** The Chromium binary on PATH, or undefined when none is installed. */
export function findChromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
      try {
        if (dir && Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // not in this folder
      }
    }
  }
  return undefined;
}

/** What a page did. */
export interface PageResult<T> {
  /** Console errors, uncaught exceptions and failed loads, as text. */
  errors: string[];
  /** The value of the expression evaluated after the load event. */
  value: T;
  /** PNG bytes of the whole page, when asked for. */
  screenshot?: Uint8Array;
}

/** How to open the page. */
export interface PageOptions {
  width?: number;
  height?: number;
  screenshot?: boolean;
  /** Give up after this many milliseconds (default 60 s). */
  timeoutMs?: number;
}

type Message = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
};

/**
 * Load `url` in a fresh headless Chromium, wait for the load event, evaluate `expression` (its
 * value must be JSON-serialisable) and close the browser.
 */
export async function inspectPage<T>(
  chromium: string,
  url: string,
  expression: string,
  options: PageOptions = {},
): Promise<PageResult<T>> {
  const profile = await Deno.makeTempDir({ prefix: "facefit-chromium-" });
  const child = new Deno.Command(chromium, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      `--window-size=${options.width ?? 1200},${options.height ?? 2000}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ws: WebSocket | undefined;
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Chromium did not finish with "${url}" in time`)),
        options.timeoutMs ?? 60_000,
      );
    });
    const run = async (): Promise<PageResult<T>> => {
      // Chromium prints the browser's WebSocket address on stderr once it listens.
      let log = "";
      let endpoint: string | undefined;
      while (!endpoint) {
        const { value, done } = await stderr.read();
        if (done) throw new Error(`Chromium exited before listening:\n${log}`);
        log += value;
        endpoint = /DevTools listening on (ws:\/\/\S+)/.exec(log)?.[1];
      }
      (async () => {
        while (!(await stderr.read()).done) { /* keep the pipe drained */ }
      })().catch(() => {});
      const cdp = await connect(endpoint);
      ws = cdp.ws;
      const errors: string[] = [];
      let loaded: () => void = () => {};
      const load = new Promise<void>((resolve) => (loaded = resolve));
      cdp.onEvent = (m) => {
        const p = m.params ?? {};
        if (m.method === "Page.loadEventFired") loaded();
        if (m.method === "Runtime.exceptionThrown") {
          const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
          errors.push(`exception: ${d.exception?.description ?? d.text}`);
        }
        if (
          m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")
        ) {
          const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
          errors.push(`console.${p.type}: ${args.map((a) => a.value ?? a.description).join(" ")}`);
        }
        if (m.method === "Log.entryAdded") {
          const e = p.entry as { level: string; text: string; url?: string };
          if (e.level === "error") errors.push(`log: ${e.text}${e.url ? ` (${e.url})` : ""}`);
        }
      };
      const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
      const session = sessionId as string;
      for (const domain of ["Page", "Runtime", "Log"]) {
        await cdp.send(`${domain}.enable`, {}, session);
      }
      await cdp.send("Emulation.setDeviceMetricsOverride", {
        width: options.width ?? 1200,
        height: options.height ?? 2000,
        deviceScaleFactor: 1,
        mobile: false,
      }, session);
      await cdp.send("Page.navigate", { url }, session);
      await load;
      // Give late console messages (e.g. from a load handler) a moment to arrive.
      await new Promise((r) => setTimeout(r, 200));
      const evaluated = await cdp.send(
        "Runtime.evaluate",
        { expression, returnByValue: true },
        session,
      );
      if (evaluated.exceptionDetails) {
        throw new Error(
          `The check expression failed: ${JSON.stringify(evaluated.exceptionDetails)}`,
        );
      }
      const value = (evaluated.result as { value: T }).value;
      let screenshot: Uint8Array | undefined;
      if (options.screenshot) {
        const shot = await cdp.send("Page.captureScreenshot", {
          format: "png",
          captureBeyondViewport: true,
        }, session);
        screenshot = Uint8Array.from(atob(shot.data as string), (c) => c.charCodeAt(0));
      }
      await cdp.send("Browser.close").catch(() => {});
      return { errors, value, screenshot };
    };
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
    ws?.close();
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await stderr.cancel().catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

interface Cdp {
  ws: WebSocket;
  send(
    method: string,
    params?: Record<string, unknown>,
    sessionId?: string,
  ): Promise<Record<string, unknown>>;
  onEvent: (m: Message) => void;
}

async function connect(endpoint: string): Promise<Cdp> {
  const ws = new WebSocket(endpoint);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`Cannot connect to Chromium at ${endpoint}`));
  });
  let next = 0;
  const pending = new Map<
    number,
    { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  const cdp: Cdp = {
    ws,
    onEvent: () => {},
    send(method, params = {}, sessionId) {
      const id = ++next;
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
  };
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data as string) as Message;
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result ?? {});
    } else {
      cdp.onEvent(m);
    }
  };
  ws.onclose = () => {
    for (const p of pending.values()) p.reject(new Error("Chromium closed the connection"));
    pending.clear();
  };
  return cdp;
}
