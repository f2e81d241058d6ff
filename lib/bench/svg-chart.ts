// A small grouped bar chart as standalone SVG (no dependencies): one group per mode, one
// bar per phase, the median as the bar and the min..max range as a whisker.

export interface ChartSeries {
  /** e.g. "compile" */
  label: string;
  color: string;
}

export interface ChartGroup {
  /** e.g. "warm" */
  label: string;
  /** One value per series: median, min, max in ms. */
  values: Array<{ median: number; min: number; max: number }>;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `title` may hold several lines (\n): the first is the heading, the others smaller notes. */
export function renderBarChart(title: string, series: ChartSeries[], groups: ChartGroup[], unit = 'ms'): string {
  const [heading = '', ...notes] = title.split('\n');
  const width = 760;
  const height = 420;
  const margin = { top: 50 + notes.length * 16, right: 20, bottom: 70, left: 70 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const maxValue = Math.max(1, ...groups.flatMap((g) => g.values.map((v) => (Number.isFinite(v.max) ? v.max : 0))));
  const y = (v: number): number => margin.top + plotH - (Math.max(0, v) / maxValue) * plotH;
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.min(48, (groupW * 0.8) / Math.max(1, series.length));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(heading)}</text>`,
    ...notes.map(
      (note, i) =>
        `<text x="${width / 2}" y="${42 + i * 16}" text-anchor="middle" font-size="11" fill="${note.startsWith('SIMULATED') ? '#b22' : '#555'}">${escapeXml(note)}</text>`,
    ),
  );
  for (let i = 0; i <= 4; i++) {
    const v = (maxValue * i) / 4;
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)} ${unit}</text>`,
    );
  }
  groups.forEach((group, gi) => {
    const x0 = margin.left + gi * groupW + (groupW - barW * series.length) / 2;
    group.values.forEach((v, si) => {
      if (!Number.isFinite(v.median)) return;
      const x = x0 + si * barW;
      const color = series[si]?.color ?? '#888';
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v.median).toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(margin.top + plotH - y(v.median)).toFixed(1)}" fill="${color}"><title>${escapeXml(`${group.label} ${series[si]?.label ?? ''}: median ${v.median.toFixed(1)} ${unit}`)}</title></rect>`,
        `<line x1="${(x + barW / 2 - 2).toFixed(1)}" x2="${(x + barW / 2 - 2).toFixed(1)}" y1="${y(v.min).toFixed(1)}" y2="${y(v.max).toFixed(1)}" stroke="black"/>`,
      );
    });
    parts.push(
      `<text x="${(margin.left + gi * groupW + groupW / 2).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle" font-weight="bold">${escapeXml(group.label)}</text>`,
    );
  });
  series.forEach((s, si) => {
    const x = margin.left + si * 150;
    parts.push(
      `<rect x="${x}" y="${height - 28}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${x + 18}" y="${height - 18}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
