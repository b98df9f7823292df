/*
 * check_maps.c - the lookup table types main.cf names: every "type:name"
 * of a *_maps parameter (and alias_database) must be a type this Postfix
 * can open, built in (patterns/postfix-maptypes.list, as Debian builds
 * it) or a plugin registered in dynamicmaps.cf or dynamicmaps.cf.d/ under
 * meta_directory. Without a dynamicmaps.cf the Postfix is not one whose
 * types the list describes: nothing is said.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

#define MAPTYPES_LIST "postfix-maptypes.list"
#define MAPS_MAX_TYPES 128

struct maptypes {
	char *v[MAPS_MAX_TYPES];
	size_t n;
	char dynfile[4096];	/* the dynamicmaps.cf read (evidence) */
};

static void
maps_add(struct maptypes *mt, const char *type, size_t n)
{
	size_t i;

	if (n == 0 || mt->n == MAPS_MAX_TYPES)
		return;
	for (i = 0; i < mt->n; i++)
		if (strlen(mt->v[i]) == n && strncmp(mt->v[i], type, n) == 0)
			return;
	mt->v[mt->n++] = xstrndup(type, n);
}

/* The first word of each line that is not a comment. Returns -1 when the
 * file cannot be opened. */
static int
maps_read_words(struct maptypes *mt, const char *path)
{
	char line[1024];
	const char *p;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		maps_add(mt, p, strcspn(p, " \t\r\n"));
	}
	fclose(fp);
	return 0;
}

/* The plugins of meta_directory: dynamicmaps.cf, then each file of
 * dynamicmaps.cf.d/. Returns -1 without a dynamicmaps.cf. */
static int
maps_read_dynamic(struct pfconf *cf, struct maptypes *mt)
{
	const char *meta = pfconf_get(cf, "meta_directory", NULL);
	char dir[4096], path[4600];
	struct dirent *de;
	DIR *d;

	if (meta == NULL || *meta == '\0')
		meta = "/etc/postfix";
	snprintf(path, sizeof(path), "%s/dynamicmaps.cf", meta);
	pfconf_path(cf, path, mt->dynfile, sizeof(mt->dynfile));
	if (maps_read_words(mt, mt->dynfile) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/dynamicmaps.cf.d", meta);
	if ((d = opendir(pfconf_path(cf, path, dir, sizeof(dir)))) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		maps_read_words(mt, path);
	}
	closedir(d);
	return 0;
}

static int
maps_known(const struct maptypes *mt, const char *type, size_t n)
{
	size_t i;

	for (i = 0; i < mt->n; i++)
		if (strlen(mt->v[i]) == n && strncmp(mt->v[i], type, n) == 0)
			return 1;
	return 0;
}

/* Is this parameter a list of lookup tables? */
static int
maps_param(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, "_maps") == 0) || strcmp(name, "alias_database") == 0;
}

/* Each "type:name" of the list in parameter P that is not available. */
static void
maps_check_param(struct pfconf *cf, struct obs_out *out, const struct maptypes *mt,
		 const struct cf_param *p)
{
	const char *v = pfconf_get(cf, p->name, NULL), *t, *lp;
	struct obs_ev ev[2];
	size_t n, k;

	if (v == NULL)
		return;
	for (lp = v; (t = pfconf_list_next(&lp, &n)) != NULL;) {
		if (n > 6 && strncmp(t, "proxy:", 6) == 0)
			t += 6, n -= 6;
		k = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (k == 0 || k >= n || t[k] != ':' || maps_known(mt, t, k))
			continue;	/* not a table (a $name, a domain) or a known type */
		ev[0] = (struct obs_ev){ p->where.file, (unsigned long)p->where.line, p->where.text };
		ev[1] = (struct obs_ev){ mt->dynfile, 0, "the plugin types this Postfix registers" };
		obs_emit(out, OBS_CONFIG, "maps", NULL, ev, 2,
			 "%s names table type \"%.*s\": not built into this Postfix and not "
			 "registered in %s or dynamicmaps.cf.d", p->name, (int)k, t, mt->dynfile);
	}
}

void
check_maps(struct pfconf *cf, struct obs_out *out)
{
	struct maptypes mt;
	char buf[4096];
	size_t i;

	memset(&mt, 0, sizeof(mt));
	if (maps_read_dynamic(cf, &mt) < 0)
		goto done;	/* not a Postfix with plugins: cannot tell */
	if (maps_read_words(&mt, check_data_file(MAPTYPES_LIST, buf, sizeof(buf))) < 0) {
		check_skipped(out, "maps", buf, strerror(errno));
		goto done;
	}
	for (i = 0; i < cf->nparams; i++)
		if (maps_param(cf->params[i].name))
			maps_check_param(cf, out, &mt, &cf->params[i]);
done:
	for (i = 0; i < mt.n; i++)
		free(mt.v[i]);
}
