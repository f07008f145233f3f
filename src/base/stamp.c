#include "base/stamp.h"
#include <stdio.h>
#include <stdlib.h>
struct stamp_ent stamp_tab[128];
int stamp_n;
void stamp_dump(void)
{
	if (!getenv("CAPSA_STAMP"))
		return;
	FILE *f = fopen(getenv("CAPSA_STAMP"), "a");
	if (!f) return;
	for (int i = 1; i < stamp_n; i++) {
		long d = (stamp_tab[i].t.tv_sec - stamp_tab[i-1].t.tv_sec) * 1000000L + (stamp_tab[i].t.tv_nsec - stamp_tab[i-1].t.tv_nsec) / 1000;
		fprintf(f, "%d %s %ld\n", i, stamp_tab[i].l, d);
	}
	fclose(f);
}
