/**
 * This process's peak resident memory in MB. Linux's getrusage maxrss (process.resourceUsage)
 * survives fork + exec, so a child spawned by a big parent reports at least the parent's size;
 * /proc's VmHWM belongs to the child's own address space (shared by its worker threads).
 */
import fs from 'node:fs';

export function peakRssMb(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS / 1024;
}
