import { type App, feedback } from "../app.js";
import { type LiveChart, liveChart } from "../chart.js";
import { h, replace } from "../dom.js";
import { FormatError } from "../format.js";
import { parseMetrics, quantile, rates, type Snapshot, snapshot } from "../metrics.js";

const POLL_MS = 2000;
const KEEP = 90;
const TOP_METHODS = 6;

/**
 * A live picture of the service from its own `/metrics` (polled every 2 s with the session's
 * token): requests per second by operation, errors per second by code, latency p50/p99, throttled
 * calls, and the key-pair pool's depth when the server exports `kms_keypair_pool_*` metrics.
 * Polling stops when the view is left. Reading `/metrics` is not an API call, so the dashboard
 * does not count or audit itself.
 */
export function dashboardView(app: App): HTMLElement {
  const status = feedback(app);
  const total = h("strong", { "data-field": "requests-total" }, "—");
  const errors = h("strong", { "data-field": "errors-total" }, "—");
  const charts = {
    requests: liveChart("Requests per second by operation", "req/s"),
    errors: liveChart("Errors per second by code", "err/s"),
    latency: liveChart("Latency", "ms"),
    throttled: liveChart("Throttled calls per second", "req/s"),
    pool: liveChart("Key-pair pool", "count"),
  };
  const poolPanel = panel("Key-pair pool", charts.pool);
  poolPanel.hidden = true;
  const view = h(
    "div",
    { class: "view" },
    h(
      "section",
      { class: "card", "aria-label": "Totals" },
      h("h2", {}, "Dashboard"),
      h("p", { class: "totals" }, "Requests since the server started: ", total, " · failed: ", errors),
      h("p", { class: "meta" }, `From this server's /metrics, every ${POLL_MS / 1000} s.`),
      status.el,
    ),
    h(
      "div",
      { class: "charts" },
      panel("Requests per second by operation", charts.requests),
      panel("Errors per second by code", charts.errors),
      panel("Latency (p50, p99)", charts.latency),
      panel("Throttled calls per second", charts.throttled),
      poolPanel,
    ),
  );

  const history: Snapshot[] = [];
  async function poll(): Promise<void> {
    const res = await fetch(`${app.endpoint}/metrics`, { headers: { authorization: `Bearer ${app.token}` } });
    if (!res.ok) {
      const id = res.headers.get("x-request-id");
      throw new FormatError(
        `The server's metrics could not be read (HTTP ${res.status}).${id ? ` (Request id: ${id})` : ""}`,
      );
    }
    history.push(snapshot(parseMetrics(await res.text()), Date.now() / 1000));
    if (history.length > KEEP) history.shift();
    const last = history[history.length - 1]!;
    replace(total, String(last.total));
    replace(errors, String([...last.errorsByCode.values()].reduce((a, b) => a + b, 0)));
    draw(history, charts);
    poolPanel.hidden = last.pool.size === 0;
  }
  const tick = async () => {
    if (!view.isConnected && history.length > 0) return;
    try {
      await poll();
      status.clear();
    } catch (err) {
      status.fail(err);
    }
    setTimeout(() => void tick(), POLL_MS);
  };
  void tick();
  return view;
}

function panel(title: string, chart: LiveChart): HTMLElement {
  return h("section", { class: "card chart-card", "aria-label": title }, h("h3", {}, title), chart.el);
}

function draw(
  history: Snapshot[],
  charts: Record<"requests" | "errors" | "latency" | "throttled" | "pool", LiveChart>,
): void {
  const pairs = history.slice(1).map((s, i) => [history[i]!, s] as const);
  const x = pairs.map(([, s]) => s.at);
  const last = history[history.length - 1]!;
  const top = [...last.byMethod.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_METHODS)
    .map(([m]) => m);
  const per = (pick: (s: Snapshot) => Map<string, number>, keys: string[]) =>
    new Map(keys.map((k) => [k, pairs.map(([a, b]) => rates(pick(a), pick(b), b.at - a.at).get(k) ?? 0)]));
  charts.requests.update(
    x,
    per((s) => s.byMethod, top),
  );
  charts.errors.update(
    x,
    per(
      (s) => s.errorsByCode,
      [...last.errorsByCode.keys()].filter((c) => c !== "Throttled"),
    ),
  );
  const ms = (q: number) =>
    pairs.map(([a, b]) => {
      const v = quantile(a, b, q);
      return v === undefined ? null : v * 1000;
    });
  charts.latency.update(
    x,
    new Map([
      ["p50", ms(0.5)],
      ["p99", ms(0.99)],
    ]),
  );
  charts.throttled.update(
    x,
    per((s) => s.errorsByCode, ["Throttled"]),
  );
  if (last.pool.size > 0) {
    charts.pool.update(
      history.map((s) => s.at),
      new Map([...last.pool.keys()].map((k) => [k, history.map((s) => s.pool.get(k) ?? null)])),
    );
  }
}
