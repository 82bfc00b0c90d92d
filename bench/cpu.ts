/**
 * Where the CPU goes during a phase: this Node process (gateway, handlers and load
 * generator share it), its main thread's event loop, and the DynamoDB Local JVM.
 * Linux /proc for java; elsewhere the java figure is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fmt } from './stats.js';

const CLOCK_TICKS_PER_SECOND = 100;

/** The JVM this process started (a child whose command is java), or null. */
export function findJavaChild(): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat && stat.ppid === process.pid && stat.comm === 'java') return Number(entry);
    }
  } catch {
    // not Linux
  }
  return null;
}

function readStat(pid: number): { comm: string; ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // After "pid (comm) ": state ppid … utime is field 14, stime 15 (1-based, whole line).
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { comm, ppid, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** CPU ms the whole machine spent busy so far (all cores), from /proc/stat. */
function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const ticks = fields.slice(0, 8).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.reduce((sum, tick) => sum + tick, 0);
    return ((total - idle) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface CpuReport {
  wallMs: number;
  /** CPU ms of this Node process, all threads (main, libuv pool, GC). */
  nodeCpuMs: number;
  /** Share of wall time the main thread's event loop was busy (1 = saturated). */
  eventLoopUtilization: number;
  javaCpuMs: number | null;
  /** CPU ms every process on the machine spent: what is not ours is interference. */
  machineCpuMs: number | null;
}

export function startCpuWatch(javaPid: number | null): () => CpuReport {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const java = javaPid === null ? null : (readStat(javaPid)?.cpuMs ?? null);
  const machine = machineBusyMs();
  return () => {
    const used = process.cpuUsage(cpu);
    const javaNow = javaPid === null ? null : (readStat(javaPid)?.cpuMs ?? null);
    const machineNow = machineBusyMs();
    return {
      wallMs: performance.now() - wall,
      nodeCpuMs: (used.user + used.system) / 1000,
      eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
      javaCpuMs: java === null || javaNow === null ? null : javaNow - java,
      machineCpuMs: machine === null || machineNow === null ? null : machineNow - machine,
    };
  };
}

/** The report's CPU line of a phase of `requests` calls. */
export function cpuLine(cpu: CpuReport, requests: number): string {
  const java =
    cpu.javaCpuMs === null
      ? 'java n/a'
      : `java ${fmt(cpu.javaCpuMs / requests, 2)} ms (${fmt(cpu.javaCpuMs / cpu.wallMs, 2)} cores)`;
  const others =
    cpu.machineCpuMs === null
      ? ''
      : `; other processes ${fmt(Math.max(0, cpu.machineCpuMs - cpu.nodeCpuMs - (cpu.javaCpuMs ?? 0)) / cpu.wallMs, 2)} cores`;
  return (
    `CPU per request: node ${fmt(cpu.nodeCpuMs / requests, 2)} ms (${fmt(cpu.nodeCpuMs / cpu.wallMs, 2)} cores, ` +
    `event loop busy ${Math.round(cpu.eventLoopUtilization * 100)}%), ${java}${others}`
  );
}
