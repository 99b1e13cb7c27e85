import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const exporterOf = (env: Record<string, string>) => loadConfig([], env).tracesExporter;

/** `OTEL_TRACES_EXPORTER` (src/config.ts, docs/operations.md "Traces"): off unless asked for. */
describe("trace export settings", () => {
  it("is off by default and with none, on with otlp, off again when the SDK is disabled", () => {
    expect(exporterOf({})).toBeUndefined();
    expect(exporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBeUndefined();
    expect(exporterOf({ OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
    expect(exporterOf({ OTEL_TRACES_EXPORTER: "otlp" })).toBe("otlp");
    expect(exporterOf({ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" })).toBe("otlp");
    expect(exporterOf({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SDK_DISABLED: "true" })).toBeUndefined();
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: "zipkin" }, "OTEL_TRACES_EXPORTER"],
    [{ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "OTEL_EXPORTER_OTLP_PROTOCOL"],
    [
      { OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" },
      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    ],
  ])("refuses %j with one line naming the variable", (env, variable) => {
    expect(() => exporterOf(env)).toThrow(ConfigError);
    expect(() => exporterOf(env)).toThrow(variable);
  });
});
