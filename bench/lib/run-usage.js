// What a child run costs: CPU time of it and every descendant it reaped (this process's
// children CPU delta; one run at a time), and the peak resident memory of its process
// tree, sampled every 100 ms (a container's memory lives in the engine: not counted).
import { readFileSync } from 'node:fs';
import { processTree } from '@rebind/core';

/** CPU ms of this process's reaped children (cutime + cstime, 100 ticks per s). */
export function childrenCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

function rssBytes(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0; // gone meanwhile
  }
}

/** Samples the tree's summed RSS until stop(); returns the peak in MB. */
export function watchPeakMemory(pid) {
  let peak = 0;
  const sample = () => {
    const total = processTree(pid).reduce((sum, p) => sum + rssBytes(p), 0);
    peak = Math.max(peak, total);
  };
  const timer = setInterval(sample, 100);
  sample();
  return () => {
    clearInterval(timer);
    return peak / 1024 / 1024;
  };
}
