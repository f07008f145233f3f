/* tinyinit.h — the built-in init of `run --init`.
 *
 * capsa binds its own static binary read-only at /dev/init in the
 * container (the rootfs need not contain capsa) and runs
 * `/dev/init -- COMMAND...`; main() recognises the name "init".  As PID
 * 1 it starts COMMAND, passes every signal it receives on to it, reaps
 * every orphan, and exits with COMMAND's status (128+N if killed by N).
 */
#ifndef CAPSA_ENGINE_TINYINIT_H
#define CAPSA_ENGINE_TINYINIT_H

int tinyinit_main(int argc, char **argv);

#endif
