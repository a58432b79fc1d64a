/**
 * Is a process still running? Signal 0 checks without sending anything: ESRCH means gone,
 * EPERM means it exists but belongs to someone else. Only meaningful on this host; a reused
 * pid looks alive, which is why locks also carry a heartbeat.
 *
 * @since 0.1.0
 */
import { errnoCode } from "./files/Errno.ts";

/**
 * `false` only when the kernel says no such process exists.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isProcessAlive = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    return errnoCode(cause) !== "ESRCH";
  }
};
