/** The boot-time resource limits: INIT_RLIMITS (include/asm-generic/resource.h) and _STK_LIM. */
import { RLIM_INFINITY } from '../uapi/asm-generic/resource.js';

/** _STK_LIM (include/uapi/linux/resource.h): the default stack soft limit, 8 MiB. */
export const STK_LIM = 8 * 1024 * 1024;

/** INIT_RLIMITS of 6.1, index = resource; RLIMIT_NPROC and SIGPENDING are set per machine. */
export const INIT_RLIMITS: readonly (readonly [bigint, bigint])[] = [
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_CPU
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_FSIZE
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_DATA
  [BigInt(STK_LIM), RLIM_INFINITY], // RLIMIT_STACK: _STK_LIM
  [0n, RLIM_INFINITY], // RLIMIT_CORE
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_RSS
  [0n, 0n], // RLIMIT_NPROC (replaced by the machine's process limit)
  [1024n, 4096n], // RLIMIT_NOFILE: INR_OPEN_CUR, INR_OPEN_MAX
  [8n * 1024n * 1024n, 8n * 1024n * 1024n], // RLIMIT_MEMLOCK: MLOCK_LIMIT
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_AS
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_LOCKS
  [0n, 0n], // RLIMIT_SIGPENDING
  [819200n, 819200n], // RLIMIT_MSGQUEUE: MQ_BYTES_MAX
  [0n, 0n], // RLIMIT_NICE
  [0n, 0n], // RLIMIT_RTPRIO
  [RLIM_INFINITY, RLIM_INFINITY], // RLIMIT_RTTIME
];
