/* progress.c — per-blob bars on a terminal, lines elsewhere (see
 * progress.h). */
#include "pull/progress.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct item {
	char label[24];
	int64_t total, have;
	double start;
	const char *state;
};

struct progress {
	enum progress_mode mode;
	FILE *out;
	size_t n;
	double last_draw;
	bool drawn;
	struct item items[];
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *progress_new(size_t n, enum progress_mode mode, FILE *out)
{
	struct progress *p = calloc(1, sizeof(*p) + n * sizeof(struct item));
	if (!p)
		return NULL;
	if (mode == PROGRESS_BARS && !isatty(fileno(out)))
		mode = PROGRESS_LINES;
	p->mode = mode;
	p->out = out;
	p->n = n;
	return p;
}

static void human(char *buf, size_t len, double v)
{
	const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int i = 0;
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void draw(struct progress *p)
{
	double t = now_s();
	if (p->drawn)
		fprintf(p->out, "\033[%zuA", p->n);
	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->items[i];
		char have[16], total[16], rate[16] = "", eta[16] = "";
		human(have, sizeof(have), (double)it->have);
		human(total, sizeof(total), (double)it->total);
		int width = 30, fill = it->total > 0 ? (int)(width * it->have / it->total) : width;
		char bar[32];
		memset(bar, '=', (size_t)fill);
		memset(bar + fill, ' ', (size_t)(width - fill));
		bar[width] = '\0';
		if (!it->state && it->start > 0 && t > it->start && it->have > 0) {
			double r = (double)it->have / (t - it->start);
			human(rate, sizeof(rate), r);
			strcat(rate, "/s");
			snprintf(eta, sizeof(eta), "%.0fs", (double)(it->total - it->have) / r);
		}
		fprintf(p->out, "\r\033[K%-19s [%s] %s / %s %s %s%s\n", it->label, bar, have, total,
			rate,
			it->state ? it->state
			: eta[0]  ? "ETA "
				  : "",
			it->state ? "" : eta);
	}
	fflush(p->out);
	p->drawn = true;
	p->last_draw = t;
}

void progress_item(struct progress *p, size_t i, const char *label, int64_t total)
{
	if (!p || i >= p->n)
		return;
	snprintf(p->items[i].label, sizeof(p->items[i].label), "%s", label);
	p->items[i].total = total;
}

void progress_update(struct progress *p, size_t i, int64_t have)
{
	if (!p || i >= p->n)
		return;
	if (p->items[i].start == 0)
		p->items[i].start = now_s();
	p->items[i].have = have;
}

void progress_done(struct progress *p, size_t i, const char *state)
{
	if (!p || i >= p->n)
		return;
	struct item *it = &p->items[i];
	it->state = state;
	it->have = it->total;
	if (p->mode == PROGRESS_LINES) {
		char total[16];
		human(total, sizeof(total), (double)it->total);
		fprintf(p->out, "%s: %s (%s)\n", it->label, state, total);
		fflush(p->out);
	} else if (p->mode == PROGRESS_BARS) {
		draw(p);
	}
}

void progress_tick(struct progress *p)
{
	if (p && p->mode == PROGRESS_BARS && now_s() - p->last_draw >= 0.1)
		draw(p);
}

void progress_free(struct progress *p)
{
	if (p && p->mode == PROGRESS_BARS && p->drawn)
		draw(p);
	free(p);
}
