import uPlot from "uplot";
import { h } from "./dom.js";

const COLORS = ["#0b5cad", "#b42318", "#1a7f37", "#8250df", "#bf8700", "#0e7490", "#57606a", "#d1246f"];

/** A live line chart (uPlot) whose series can appear over time; it follows its container's width. */
export interface LiveChart {
  el: HTMLElement;
  /** Redraws with x = seconds since the epoch and one y array per series name. */
  update(x: number[], series: Map<string, (number | null)[]>): void;
}

export function liveChart(title: string, unit: string): LiveChart {
  const box = h("div", { class: "chart", role: "img", "aria-label": title });
  let plot: uPlot | undefined;
  let names: string[] = [];
  const width = () => Math.max(240, box.clientWidth || 300);
  new ResizeObserver(() => plot?.setSize({ width: width(), height: 200 })).observe(box);
  return {
    el: box,
    update(x, series) {
      const next = [...series.keys()];
      const data = [x, ...next.map((n) => series.get(n) ?? [])] as uPlot.AlignedData;
      if (!plot || next.join("\n") !== names.join("\n")) {
        plot?.destroy();
        names = next;
        plot = new uPlot(
          {
            width: width(),
            height: 200,
            legend: { show: true },
            scales: { x: { time: true } },
            axes: [{}, { label: unit, size: 60 }],
            series: [
              {},
              ...names.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true })),
            ],
          },
          data,
          box,
        );
      } else {
        plot.setData(data);
      }
      box.dataset.points = String(x.length);
      box.setAttribute(
        "aria-label",
        `${title}: ${names.map((n) => `${n} ${format(series.get(n)?.at(-1))}`).join(", ") || "no data yet"}`,
      );
    },
  };
}

function format(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : String(Math.round(v * 100) / 100);
}
