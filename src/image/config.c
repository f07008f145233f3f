/* config.c — see config.h.  Image configs come from image authors and
 * registries: every field is type-checked and errors name the field. */
#include "image/config.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "image/ref.h"
#include "image/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* An object whose keys are the values ("ExposedPorts": {"80/tcp": {}}). */
static int keys_of(struct jctx *c, json_object *obj, const char *key, const char *path, char ***out)
{
	json_object *v;
	int r = jfield(c, obj, key, json_type_object, path, &v);
	if (r <= 0)
		return r;
	size_t n = (size_t)json_object_object_length(v), i = 0;
	char **vec = arena_calloc(c->arena, n + 1, sizeof(char *));
	if (!vec)
		return err_sys(c->e, ENOMEM, "%s", c->doc);
	json_object_object_foreach(v, k, val)
	{
		(void)val;
		if (!(vec[i++] = arena_strdup(c->arena, k)))
			return err_sys(c->e, ENOMEM, "%s", c->doc);
	}
	*out = vec;
	return 1;
}

static int labels_of(struct jctx *c, json_object *obj, struct image_config *ic)
{
	json_object *v;
	int r = jfield(c, obj, "Labels", json_type_object, "config.Labels", &v);
	if (r <= 0)
		return r;
	size_t n = (size_t)json_object_object_length(v), i = 0;
	ic->labels = arena_calloc(c->arena, n + 1, sizeof(struct kv));
	if (!ic->labels)
		return err_sys(c->e, ENOMEM, "%s", c->doc);
	json_object_object_foreach(v, k, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return jerr(c, "config.Labels", "\"%s\": expected string, got %s", k,
				    json_type_word(val));
		ic->labels[i].key = arena_strdup(c->arena, k);
		ic->labels[i].value = arena_strdup(c->arena, json_object_get_string(val));
		if (!ic->labels[i].key || !ic->labels[i].value)
			return err_sys(c->e, ENOMEM, "%s", c->doc);
		i++;
	}
	ic->n_labels = n;
	return 1;
}

static int parse_obj(struct jctx *c, json_object *root, struct image_config *ic)
{
	json_object *cfg = NULL, *rootfs = NULL;
	int r;
	if ((r = jget_str(c, root, "os", "os", &ic->os)) < 0 ||
	    (r = jget_str(c, root, "architecture", "architecture", &ic->architecture)) < 0 ||
	    (r = jget_str(c, root, "variant", "variant", &ic->variant)) < 0 ||
	    (r = jget_str(c, root, "created", "created", &ic->created)) < 0 ||
	    (r = jfield(c, root, "config", json_type_object, "config", &cfg)) < 0 ||
	    (r = jfield(c, root, "rootfs", json_type_object, "rootfs", &rootfs)) < 0)
		return r;
	if (cfg) {
		if ((r = jget_strv(c, cfg, "Entrypoint", "config.Entrypoint", &ic->entrypoint,
				   NULL)) < 0 ||
		    (r = jget_strv(c, cfg, "Cmd", "config.Cmd", &ic->cmd, NULL)) < 0 ||
		    (r = jget_strv(c, cfg, "Env", "config.Env", &ic->env, NULL)) < 0 ||
		    (r = jget_str(c, cfg, "WorkingDir", "config.WorkingDir", &ic->working_dir)) <
			0 ||
		    (r = jget_str(c, cfg, "User", "config.User", &ic->user)) < 0 ||
		    (r = jget_str(c, cfg, "StopSignal", "config.StopSignal", &ic->stop_signal)) <
			0 ||
		    (r = keys_of(c, cfg, "ExposedPorts", "config.ExposedPorts",
				 &ic->exposed_ports)) < 0 ||
		    (r = keys_of(c, cfg, "Volumes", "config.Volumes", &ic->volumes)) < 0 ||
		    (r = labels_of(c, cfg, ic)) < 0)
			return r;
	}
	if (!rootfs)
		return jerr(c, "rootfs", "missing");
	char *type = NULL;
	if ((r = jget_str(c, rootfs, "type", "rootfs.type", &type)) < 0)
		return r;
	if (!type || strcmp(type, "layers") != 0)
		return jerr(c, "rootfs.type", "expected \"layers\"");
	if ((r = jget_strv(c, rootfs, "diff_ids", "rootfs.diff_ids", &ic->diff_ids,
			   &ic->n_diff_ids)) < 0)
		return r;
	if (r == 0)
		return jerr(c, "rootfs.diff_ids", "missing");
	for (size_t i = 0; i < ic->n_diff_ids; i++)
		if (!ref_is_digest(ic->diff_ids[i]))
			return jerr(c, "rootfs.diff_ids",
				    "element %zu: \"%s\" is not a sha256 digest", i,
				    ic->diff_ids[i]);
	return 0;
}

int image_config_parse(const char *json, size_t len, const char *doc, struct image_config *ic,
		       struct err *e)
{
	memset(ic, 0, sizeof(*ic));
	struct jctx c = {.doc = doc, .arena = &ic->arena, .e = e};
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return err_sys(e, ENOMEM, "%s", doc);
	json_object *root = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (je != json_tokener_success || !root) {
		json_object_put(root);
		return err_msg(e, EINVAL, "%s: invalid JSON: %s", doc, json_tokener_error_desc(je));
	}
	int r = json_object_is_type(root, json_type_object)
		    ? parse_obj(&c, root, ic)
		    : err_msg(e, EINVAL, "%s: expected an object", doc);
	json_object_put(root);
	if (r < 0)
		image_config_free(ic);
	return r < 0 ? r : 0;
}

int image_config_load(struct store *s, const char *id, struct image_config *ic, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = store_blob_read(s, id, 4 << 20, &buf, &len, e);
	if (r < 0)
		return err_prefix(e, "image config");
	char doc[96];
	snprintf(doc, sizeof(doc), "image config %.19s", id);
	return image_config_parse(buf, len, doc, ic, e);
}

void image_config_free(struct image_config *ic)
{
	arena_free(&ic->arena);
	memset(ic, 0, sizeof(*ic));
}
