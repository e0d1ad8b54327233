import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// only what the dashboard draws: keeps the echarts chunk small
echarts.use([BarChart, FunnelChart, LineChart, PieChart, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export interface ChartClick {
  name: string;
  dataIndex: number;
  seriesIndex?: number;
  data: unknown;
}

/** One ECharts canvas: redrawn when the option changes, resized with its box, clicks handed to `onClick` (drill-down). */
export function Chart({
  option,
  onClick,
  height = 320,
  testId,
  hidden,
}: {
  option: ChartOption;
  onClick?: (e: ChartClick) => void;
  height?: number;
  testId?: string;
  /** Kept mounted but not shown (an empty state replaces it). */
  hidden?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const el = box.current!;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (e) => click.current?.(e as unknown as ChartClick));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return (
    <div ref={box} className="chart" data-testid={testId} style={{ height, cursor: onClick ? 'pointer' : undefined, display: hidden ? 'none' : undefined }} />
  );
}
