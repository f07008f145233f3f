/* reap.h — the detached reaper: what a container's removal leaves to do
 * after the command that removed it has returned.
 *
 * `capsa run --rm` (and rm, prune, a monitor's --rm) move the container's
 * store directory into the store's trash (image/trash.h) and, for a
 * foreground --rm, hold the container's mount namespace open (rt_run's
 * `mntns`).  When the command's store closes, reap_spawn starts the
 * reaper: its own session, idle CPU and I/O priority, /dev/null on
 * stdin, stdout and stderr, no other descriptor of ours but the
 * namespace.  It closes the namespace first, so the overlay's unmount
 * and its RCU grace period happen in the reaper, then empties the trash
 * and exits.
 *
 * On x86_64 the reaper is a child that shares our memory (clone3
 * CLONE_VM, no execve): it waits on a pipe whose other end only our exit
 * closes, and then, the address space's only user, runs the work with
 * our C library.  Elsewhere (or if that clone fails) it is
 * `capsa _reap STORAGE|- [FD]`, spawned: the binary's start-up again,
 * ~1 ms of CPU that a back-to-back start on this project's 2-CPU test
 * VM pays (median 9.20 -> 8.39 ms without it).  Nobody waits for it: the container is gone for every command
 * when the rename is done; its disk blocks follow a few milliseconds
 * later.  A reaper that is killed leaves entries the next one (or image
 * removal, which empties the trash first) removes.
 */
#ifndef CAPSA_ENGINE_REAP_H
#define CAPSA_ENGINE_REAP_H

/* Start the reaper for `storage` (NULL: only the
 * namespace) and `mntns` (-1: none).  The caller still closes `mntns`.
 * A failure to start it only leaves the work to the next reaper. */
void reap_spawn(const char *storage, int mntns);

/* The reaper's entry (the hidden command `capsa _reap`). */
int reap_main(int argc, char **argv);

#endif
