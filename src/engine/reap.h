/* reap.h — the detached reaper: what a container's removal leaves to do
 * after the command that removed it has returned.
 *
 * `capsa run --rm` (and rm, prune, a monitor's --rm) move the container's
 * store directory into the store's trash (image/trash.h) and, for a
 * foreground --rm, hold the container's mount namespace open (rt_run's
 * `mntns`).  When the command's store closes, reap_spawn starts
 * `capsa _reap STORAGE [FD]`: its own session, /dev/null on stdin,
 * stdout and stderr, no other descriptor of ours but the namespace on
 * FD.  It closes the namespace first, so the overlay's unmount and its
 * RCU grace period happen in the reaper, then empties the trash and
 * exits.  Nobody waits for it: the container is gone for every command
 * when the rename is done; its disk blocks follow a few milliseconds
 * later.  A reaper that is killed leaves entries the next one (or image
 * removal, which empties the trash first) removes.
 */
#ifndef CAPSA_ENGINE_REAP_H
#define CAPSA_ENGINE_REAP_H

/* Start the reaper from binary `self` for `storage` (NULL: only the
 * namespace) and `mntns` (-1: none).  The caller still closes `mntns`.
 * A failure to start it only leaves the work to the next reaper. */
void reap_spawn(const char *self, const char *storage, int mntns);

/* The reaper's entry (the hidden command `capsa _reap`). */
int reap_main(int argc, char **argv);

#endif
