// The self-test report as text, to paste into an issue: versions, runtime, devices, one line per
// case and device (PASS / FAIL / SKIP with the reason and the time), then the totals.
import type { CaseResult, SelftestReport } from './run';

const MARK: Record<CaseResult['status'], string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

function detailsText(result: CaseResult): string {
  const details = Object.entries(result.details ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return details.length ? ` (${details.join(', ')})` : '';
}

/** A reason on one line, cut at 300 characters (the JSON report keeps all of it). */
function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

export function formatCaseLine(result: CaseResult): string {
  const reason = result.reason ? `\n         ${result.status === 'skip' ? 'skipped: ' : ''}${oneLine(result.reason)}` : '';
  return `  ${MARK[result.status]} ${result.device.padEnd(6)} ${String(result.ms).padStart(6)} ms  ${result.name}${detailsText(result)}${reason}`;
}

export function formatSelftest(report: SelftestReport): string {
  const lines = ['ovcache selftest', `ovcache:  ${report.ovcache}`, `Node:     ${report.node}`, `OS:       ${report.os}`];
  const rt = report.runtime;
  if (!rt) {
    lines.push(`OpenVINO: none loaded: ${report.error?.code ? `[${report.error.code}] ` : ''}${report.error?.message ?? ''}`);
    lines.push('Result:   FAILED: no runtime to test (run `ovcache doctor` to see where it searched)');
    return lines.join('\n');
  }
  lines.push(
    `OpenVINO: ${rt.buildNumber} ${rt.supported ? '(supported)' : '(OUTSIDE the supported range)'}, element numbering ${rt.elementNumbering}`,
  );
  lines.push(`Library:  ${rt.libraryPath} (found via ${rt.foundVia})`);
  if (rt.standIn) lines.push('          This is the ovcache TEST STAND-IN, not OpenVINO: timings are SIMULATED.');
  lines.push('Devices:');
  for (const d of report.devices)
    lines.push(`  ${d.name.padEnd(6)} ${d.fullName}${d.error ? ` - ${d.error}` : d.canCache ? ' - can cache' : ' - cannot cache'}`);
  lines.push('Cases:');
  for (const r of report.results) lines.push(formatCaseLine(r));
  const s = report.summary;
  lines.push(`Summary:  ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped of ${s.total} in ${s.ms} ms`);
  if (report.error) lines.push(`Result:   FAILED: ${report.error.message}`);
  else if (s.failed > 0) {
    const failed = report.results.filter((r) => r.status === 'fail').map((r) => `${r.device}: ${r.name}`);
    const more = failed.length > 5 ? `; and ${failed.length - 5} more (FAIL above)` : '';
    lines.push(`Result:   FAILED: ${failed.slice(0, 5).join('; ')}${more}`);
  } else if (s.skipped > 0) lines.push(`Result:   NOT EVERYTHING WAS CHECKED: ${s.skipped} case(s) skipped (reasons above)`);
  else lines.push('Result:   PASSED: every case on every device');
  return lines.join('\n');
}
