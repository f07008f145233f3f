/* throw-away: clock stamps, printed at exit when CAPSA_STAMP is set */
#ifndef STAMP_H
#define STAMP_H
#include <time.h>
struct stamp_ent { const char *l; struct timespec t; };
extern struct stamp_ent stamp_tab[128];
extern int stamp_n;
static inline void STAMP(const char *l) { if (stamp_n < 128) { stamp_tab[stamp_n].l = l; clock_gettime(CLOCK_MONOTONIC, &stamp_tab[stamp_n].t); stamp_n++; } }
void stamp_dump(void);
#endif
