// The results as an SVG a person can open: four bar panels (throughput, average
// latency, server CPU per command, memory per 100K items), grouped by scenario or
// value kind, one colour per contender. Rendered by Apache ECharts' server-side
// SVG renderer, which needs no browser and no canvas.

import * as echarts from 'echarts';
import type { ContenderKind } from '../scenarios/contenders';
import { BenchReport, MemoryResult, ScenarioFigures, ValueKind, plural } from './model';

const WIDTH = 1200;
const HEIGHT = 860;
/** Colours by kind of server, so a contender keeps its colour across runs; ours' variants take turns in warm tones. */
const KIND_COLOURS: Record<ContenderKind, readonly string[]> = {
  ours: ['#c0392b', '#e67e22', '#f1c40f'],
  redis: ['#2471a3'],
  memcached: ['#229954'],
  dragonfly: ['#7d3c98'],
};

const VALUE_KIND_LABELS: Record<ValueKind, string> = {
  'product-json': '400-byte product JSON',
  'small-value': '16-byte value',
};

interface Panel {
  title: string;
  categories: string[];
  /** One value per category for each contender; undefined where there is no figure. */
  values(contender: string): (number | undefined)[];
}

/** Grid rectangles of a 2x2 layout, in percent, leaving room for titles and the legend. */
const GRIDS = [
  { left: '7%', top: '12%', width: '39%', height: '30%' },
  { left: '56%', top: '12%', width: '39%', height: '30%' },
  { left: '7%', top: '59%', width: '39%', height: '30%' },
  { left: '56%', top: '59%', width: '39%', height: '30%' },
];

export function renderChartSvg(report: BenchReport): string {
  const contenders = report.contenders.map((contender) => contender.name);
  const colours = report.contenders.map((contender, i) => {
    const shades = KIND_COLOURS[contender.kind];
    const sameKindBefore = report.contenders.slice(0, i).filter((other) => other.kind === contender.kind).length;
    return shades[sameKindBefore % shades.length];
  });
  const scenarioTitles = report.scenarios.map((scenario) => scenario.title.replace(/ of product JSON$/, ''));
  const scenarioFigure = (contender: string, pick: (figures: ScenarioFigures) => number | undefined): (number | undefined)[] =>
    report.scenarios.map((scenario) => {
      const figures = scenario.results.find((result) => result.contender === contender)?.median;
      return figures ? pick(figures) : undefined;
    });
  const memoryKinds = [...new Set(report.memory.map((result) => result.valueKind))];
  const memoryFigure = (contender: string): (number | undefined)[] =>
    memoryKinds.map((kind) => report.memory.find((r: MemoryResult) => r.contender === contender && r.valueKind === kind)?.mibPer100k);

  const panels: Panel[] = [
    { title: 'Throughput, ops/s (higher is better)', categories: scenarioTitles, values: (c) => scenarioFigure(c, (f) => f.opsPerSecond) },
    {
      title: `Average latency at ${String(report.settings.connections)} connections, ms (lower is better)`,
      categories: scenarioTitles,
      values: (c) => scenarioFigure(c, (f) => f.avgMs),
    },
    { title: 'Server CPU per command, µs (lower is better)', categories: scenarioTitles, values: (c) => scenarioFigure(c, (f) => f.cpuUsPerOp) },
    { title: 'RSS per 100K items, MiB (lower is better)', categories: memoryKinds.map((kind) => VALUE_KIND_LABELS[kind]), values: memoryFigure },
  ];

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: 'sans-serif' },
      title: [
        {
          text: `nodefly vs Redis, Memcached${contenders.includes('dragonfly') ? ', Dragonfly' : ''} — ${report.startedAt.slice(0, 10)}, ${report.host}`,
          subtext: `${report.mode} run, medians of ${plural(Number(report.settings.rounds), 'round')}; ${report.cpus} CPUs, load average ${report.loadAverage.start.toFixed(1)}; no bar = no figure`,
          left: 'center',
          top: 0,
        },
        ...panels.map((panel, i) => ({
          text: panel.title,
          left: GRIDS[i].left,
          top: `${parseFloat(GRIDS[i].top) - 4.5}%`,
          textStyle: { fontSize: 13 },
        })),
      ],
      legend: { bottom: 0, itemGap: 28, data: contenders },
      grid: GRIDS.map((grid) => ({ ...grid, containLabel: false })),
      xAxis: panels.map((panel, i) => ({ type: 'category', gridIndex: i, data: panel.categories, axisLabel: { interval: 0 } })),
      yAxis: panels.map((_, i) => ({ type: 'value', gridIndex: i })),
      series: panels.flatMap((panel, i) =>
        contenders.map((contender, c) => ({
          type: 'bar',
          name: contender,
          xAxisIndex: i,
          yAxisIndex: i,
          itemStyle: { color: colours[c] },
          // ECharts draws '-' as a gap: a missing figure stays visibly missing, never zero.
          data: panel.values(contender).map((value) => (value === undefined ? '-' : Number(value.toPrecision(4)))),
        })),
      ),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
