// docs/grafana/ovcache.json: a Grafana dashboard whose every query names metrics (and labels)
// that ovcache/metrics really exposes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createMetrics } from '../../lib/metrics/index';
import { ROOT } from '../helpers/paths';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr: string; refId: string }>;
}

describe('the Grafana dashboard (docs/grafana/ovcache.json)', () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'grafana', 'ovcache.json'), 'utf8')) as {
    title: string;
    uid: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: Array<{ name: string }> };
  };

  it('is a dashboard Grafana can import: unique panel ids, grid positions, a Prometheus data source variable', () => {
    assert.equal(dashboard.title, 'ovcache');
    assert.ok(dashboard.schemaVersion >= 36);
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of dashboard.panels) {
      assert.ok(p.gridPos.w > 0 && p.gridPos.w <= 24 && p.gridPos.x + p.gridPos.w <= 24, p.title);
      if (p.type !== 'row') assert.ok((p.targets ?? []).length > 0, `${p.title} has queries`);
    }
    assert.deepEqual(
      dashboard.templating.list.map((v) => v.name),
      ['datasource', 'instance'],
    );
  });

  it('shows hit rate, time saved, bytes against the budget, evictions and the compile time distribution', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const t of [
      'Hit rate over time',
      'Compile time saved (range)',
      'Cache bytes against the budget',
      'Evictions by rule',
      'Compile time distribution',
    ])
      assert.ok(titles.includes(t), t);
  });

  it('every query names a metric ovcache/metrics exposes, with labels it has', async () => {
    const register = new Registry();
    createMetrics({ register });
    const exposed = new Map<string, Set<string>>();
    for (const m of await register.getMetricsAsJSON()) {
      const labels = new Set(['instance', 'job']);
      const declared = (register.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames;
      for (const l of declared) labels.add(l);
      if (String(m.type) === 'histogram') {
        exposed.set(`${m.name}_bucket`, new Set([...labels, 'le']));
        exposed.set(`${m.name}_sum`, labels);
        exposed.set(`${m.name}_count`, labels);
      } else exposed.set(m.name, labels);
    }
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    assert.ok(exprs.length >= 20);
    for (const expr of exprs) {
      const selectors = [...expr.matchAll(/(ovcache_[a-z_]+)(?:\{([^}]*)\})?/g)];
      assert.ok(selectors.length > 0, expr);
      for (const [, name, matchers] of selectors) {
        const labels = exposed.get(name!);
        assert.ok(labels, `${name} in ${expr}`);
        for (const [, label] of (matchers ?? '').matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g))
          assert.ok(labels.has(label!), `${label} of ${name}`);
      }
      for (const [, by] of expr.matchAll(/by \(([^)]*)\)/g))
        for (const label of by!.split(',').map((l) => l.trim())) {
          const names = selectors.map(([, n]) => n!);
          assert.ok(
            names.some((n) => exposed.get(n)!.has(label)),
            `grouped by ${label} in ${expr}`,
          );
        }
    }
  });
});
